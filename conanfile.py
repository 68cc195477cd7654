import os
import re

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import cmake_layout
from conan.tools.files import copy, load

required_conan_version = ">=2.0"


class ClmConan(ConanFile):
    name = "clm"
    description = ("Header-only C++20 customer lifecycle modelling for e-commerce: churn, "
                   "CLV, segments, recommendations")
    license = "MIT"
    topics = ("machine-learning", "churn", "customer-lifetime-value", "recommendation",
              "xtensor", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    # Header-only: package() copies the headers; Conan's CMakeDeps generates the
    # consumer's clmConfig.cmake with the clm::clm target.
    exports_sources = "include/*", "LICENSE"
    no_copy_source = True

    def set_version(self):
        header = load(self, os.path.join(self.recipe_folder, "include", "clm", "version.hpp"))
        parts = [re.search(rf"#define CLM_VERSION_{p} (\d+)", header).group(1)
                 for p in ("MAJOR", "MINOR", "PATCH")]
        self.version = ".".join(parts)

    def layout(self):
        cmake_layout(self)

    # Every requirement exists on ConanCenter (xtensor 0.24.7 and 0.27.1; openblas 0.3.x;
    # sqlite3 3.44-3.50; libpq 15 and 17). clm declares the CBLAS / LAPACK routines it calls
    # itself, so it needs no xtensor-blas (which ConanCenter does not have); OpenBLAS must be
    # built with its LAPACK. The database components are options, as the vcpkg port's
    # features: with_sqlite gives clm::sqlite (clm/io/sqlite.hpp), with_postgres
    # clm::postgres (clm/io/postgres.hpp, through libpq).
    options = {"with_sqlite": [True, False], "with_postgres": [True, False]}
    default_options = {"with_sqlite": False, "with_postgres": False, "openblas/*:build_lapack": True}

    def requirements(self):
        self.requires("xtensor/[>=0.24.3 <0.28]")
        self.requires("openblas/[>=0.3.20 <0.4]")
        if self.options.with_sqlite:
            self.requires("sqlite3/[>=3.40 <4]")
        if self.options.with_postgres:
            self.requires("libpq/[>=13 <18]")

    def package_id(self):
        self.info.clear()

    def validate(self):
        if self.settings.compiler.get_safe("cppstd"):
            check_min_cppstd(self, 20)
        compiler = str(self.settings.compiler)
        version = str(self.settings.compiler.version).split(".")[0]
        minimum = {"gcc": 12, "clang": 14, "apple-clang": 15, "msvc": 193}
        if compiler in minimum and version.isdigit() and int(version) < minimum[compiler]:
            raise ConanInvalidConfiguration(
                f"clm needs C++20 ({compiler} >= {minimum[compiler]}), got {compiler} {version}")

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"),
             os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "clm")
        # Components, named as the CMake install names its targets: clm::clm always, the
        # database ones with their options. The aggregate of them all is clm::all, so that
        # linking clm::clm does not bring the databases along.
        self.cpp_info.set_property("cmake_target_name", "clm::all")
        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "clm::clm")
        core.bindirs = []
        core.libdirs = []
        core.requires = ["xtensor::xtensor", "openblas::openblas"]
        if self.options.with_sqlite:
            sqlite = self.cpp_info.components["sqlite"]
            sqlite.set_property("cmake_target_name", "clm::sqlite")
            sqlite.bindirs = []
            sqlite.libdirs = []
            sqlite.includedirs = []
            sqlite.requires = ["core", "sqlite3::sqlite"]
        if self.options.with_postgres:
            postgres = self.cpp_info.components["postgres"]
            postgres.set_property("cmake_target_name", "clm::postgres")
            postgres.bindirs = []
            postgres.libdirs = []
            postgres.includedirs = []
            postgres.requires = ["core", "libpq::pq"]
