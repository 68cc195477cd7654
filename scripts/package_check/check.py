#!/usr/bin/python3
"""scripts/dev package-check: the vcpkg port and the Conan recipe, emulated without network.

Neither vcpkg nor Conan runs here (no tool, no registry). What they would do with clm's
files is done by hand, then test_package/ is built against each result:

1. versions: include/clm/version.hpp, both vcpkg manifests (cmake/clmCheckVersions.cmake)
   and the Conan recipe's set_version agree.
2. Conan: conanfile.py is executed with a minimal stand-in for the `conan` package:
   set_version, requirements, validate (gcc 12, cppstd 20), package() into a package
   folder, package_info(). Every requirement must name a package ConanCenter has and its
   version range must admit a version ConanCenter has (CONANCENTER below, recorded by hand).
   A clmConfig.cmake is written from package_info() as CMakeDeps would (a target for each
   component, clm::clm with the package folder's include directory, each linking what its
   requirements provide, found on this system), and test_package/ is configured, built and
   run against it alone: once with the default options (clm::clm only) and once with
   with_sqlite and with_postgres (clm::sqlite and clm::postgres too, each with a program of
   its own in test_package/).
3. vcpkg: ports/clm/portfile.cmake is run by scripts/package_check/vcpkg_emulation.cmake
   (the vcpkg helpers it calls written out), pinned to this checkout's HEAD as
   `scripts/dev vcpkg-port` makes it, then test_package/ is built against the installed
   tree through find_package(clm CONFIG REQUIRED). The manifests' dependencies must be
   known vcpkg ports, and the root manifest must configure with its default features.

Not checked: downloads, vcpkg's and Conan's own dependency builds (OpenBLAS with LAPACK,
gfortran for vcpkg's lapack-reference), binary caches, other platforms.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, "build", "package-check")

# What ConanCenter offers for clm's requirements (conan-center-index, recorded 2026-12).
CONANCENTER = {
    "xtensor": ["0.24.7", "0.27.1"],
    "openblas": ["0.3.20", "0.3.24", "0.3.25", "0.3.26", "0.3.27", "0.3.28", "0.3.30"],
    "sqlite3": ["3.44.2", "3.45.3", "3.46.1", "3.47.2", "3.48.0", "3.49.1", "3.50.1"],
    "libpq": ["15.5", "17.5"],
}
# The vcpkg ports clm's manifests may name.
VCPKG_PORTS = {"xtensor", "blas", "lapack", "doctest", "benchmark", "vcpkg-cmake",
               "vcpkg-cmake-config", "sqlite3", "libpq"}


def fail(msg):
    print(f"package-check: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r.stdout


def header_version():
    text = open(os.path.join(ROOT, "include", "clm", "version.hpp")).read()
    return ".".join(re.search(rf"#define CLM_VERSION_{p} (\d+)", text).group(1)
                    for p in ("MAJOR", "MINOR", "PATCH"))


def vkey(v):
    return tuple(int(x) for x in v.split("."))


def admits(rng, version):
    """A Conan version range '[>=a <b]' (space-separated conditions) admits version?"""
    m = re.fullmatch(r"\[(.*)\]", rng)
    if not m:
        return rng == version
    for cond in m.group(1).split():
        op, v = re.fullmatch(r"(>=|<=|>|<|=)?([0-9.]+)", cond).groups()
        a, b = vkey(version), vkey(v)
        ok = {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "=": a == b, None: a == b}[op]
        if not ok:
            return False
    return True


# --- a stand-in for the parts of the `conan` package the recipes use -------------------
class _Settings:
    def __init__(self, values):
        self._values = values

    def get_safe(self, name):
        return self._values.get(name)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        sub = {k[len(name) + 1:]: v for k, v in self._values.items() if k.startswith(name + ".")}
        return _Value(self._values.get(name), sub)


class _Value(_Settings):
    def __init__(self, value, sub):
        super().__init__(sub)
        self._value = value

    def __str__(self):
        return str(self._value)


class _CppInfo:
    def __init__(self):
        self.properties = {}
        self.requires = []
        self.includedirs = ["include"]
        self.components = _Components()

    def set_property(self, k, v):
        self.properties[k] = v


class _Components(dict):
    def __missing__(self, name):
        self[name] = _CppInfo()
        return self[name]


class _Options:
    def __init__(self, values):
        self.__dict__.update(values)


def install_conan_standin():
    conan = types.ModuleType("conan")
    errors = types.ModuleType("conan.errors")
    tools = types.ModuleType("conan.tools")
    build = types.ModuleType("conan.tools.build")
    cmake = types.ModuleType("conan.tools.cmake")
    files = types.ModuleType("conan.tools.files")

    class ConanInvalidConfiguration(Exception):
        pass

    class ConanFile:
        def __init__(self):
            self.requires_seen = []
            self.cpp_info = _CppInfo()

        def requires(self, ref, **kw):
            self.requires_seen.append(ref)

    def check_min_cppstd(cf, v):
        if int(str(cf.settings.compiler.cppstd)) < int(v):
            raise ConanInvalidConfiguration(f"needs C++{v}")

    def copy(cf, pattern, src, dst):
        # As conan.tools.files.copy: the pattern is matched against the path relative to
        # src ('*' crosses folders); the destination is never walked.
        import fnmatch
        for base, dirs, names in os.walk(src):
            dirs[:] = [d for d in dirs
                       if not os.path.abspath(os.path.join(base, d)).startswith(os.path.abspath(dst))]
            for n in names:
                rel = os.path.relpath(os.path.join(base, n), src)
                if fnmatch.fnmatch(rel, pattern):
                    os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
                    shutil.copy2(os.path.join(base, n), os.path.join(dst, rel))

    conan.ConanFile = ConanFile
    errors.ConanInvalidConfiguration = ConanInvalidConfiguration
    build.check_min_cppstd = check_min_cppstd
    build.can_run = lambda cf: True
    cmake.cmake_layout = lambda cf: None
    cmake.CMake = object
    files.copy = copy
    files.load = lambda cf, path: open(path).read()
    for name, mod in [("conan", conan), ("conan.errors", errors), ("conan.tools", tools),
                      ("conan.tools.build", build), ("conan.tools.cmake", cmake),
                      ("conan.tools.files", files)]:
        sys.modules[name] = mod


def load_recipe(path, class_name):
    spec = importlib.util.spec_from_file_location(class_name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, class_name)


def env_prefixes():
    """The folders of the environment's CMAKE_PREFIX_PATH (the xtensor stack to build with)."""
    return [p for p in os.environ.get("CMAKE_PREFIX_PATH", "").split(":") if p]


def build_test_package(name, prefix_path, databases=()):
    """Builds and runs test_package/ against prefix_path; `databases` (clm::sqlite,
    clm::postgres) must then be targets, each with its own program that runs."""
    out = os.path.join(WORK, name, "test_package")
    shutil.rmtree(out, ignore_errors=True)
    run(["cmake", "-S", os.path.join(ROOT, "test_package"), "-B", out, "-G", "Ninja",
         "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={';'.join(prefix_path)}",
         "-DCMAKE_FIND_PACKAGE_PREFER_CONFIG=ON"])
    # The include directory clm::clm brought must be the package's, not this checkout's.
    cache = open(os.path.join(out, "CMakeCache.txt")).read()
    clm_dir = re.search(r"clm_DIR:[A-Z]+=(.*)", cache).group(1)
    if not clm_dir.startswith(os.path.join(WORK, name)):
        fail(f"{name}: test_package found clm at {clm_dir}, not in the emulated package")
    run(["cmake", "--build", out])
    text = run([os.path.join(out, "test_package")], env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    print(f"ok: {name}: test_package built against {clm_dir} and ran: {text.strip()}")
    for target in databases:
        program = os.path.join(out, "test_package_" + target.split("::")[1])
        if not os.path.exists(program):
            fail(f"{name}: {target} is not a target test_package found (no {os.path.basename(program)})")
        text = run([program])
        print(f"ok: {name}: {target} linked and ran: {text.strip()}")


def check_versions():
    run(["cmake", f"-DCLM_SOURCE_DIR={ROOT}", "-P", os.path.join(ROOT, "cmake", "clmCheckVersions.cmake")])
    print(f"ok: version {header_version()} in version.hpp and both vcpkg manifests")


def check_conan():
    install_conan_standin()
    Recipe = load_recipe(os.path.join(ROOT, "conanfile.py"), "ClmConan")
    defaults = {k: v for k, v in Recipe.default_options.items() if "/" not in k}
    if set(defaults) != set(Recipe.options):
        fail(f"conanfile.py: options {sorted(Recipe.options)} and their defaults {sorted(defaults)} differ")
    emulate_conan(Recipe, "conan", defaults)
    emulate_conan(Recipe, "conan-databases", {k: True for k in defaults})


def emulate_conan(Recipe, name, options):
    cf = Recipe()
    cf.recipe_folder = ROOT
    cf.source_folder = ROOT
    cf.package_folder = os.path.join(WORK, name, "package")
    shutil.rmtree(os.path.join(WORK, name), ignore_errors=True)
    cf.settings = _Settings({"os": "Linux", "arch": "x86_64", "compiler": "gcc",
                             "compiler.version": "12", "compiler.cppstd": "20",
                             "build_type": "Release"})
    cf.options = _Options(options)
    cf.set_version()
    if cf.version != header_version():
        fail(f"conanfile.py: version {cf.version}, version.hpp says {header_version()}")
    cf.requirements()
    for ref in cf.requires_seen:
        pkg, rng = ref.split("/", 1)
        if pkg not in CONANCENTER:
            fail(f"conanfile.py requires {ref}: ConanCenter has no package '{pkg}'")
        ok = [v for v in CONANCENTER[pkg] if admits(rng, v)]
        if not ok:
            fail(f"conanfile.py requires {ref}: no ConanCenter version in range ({CONANCENTER[pkg]})")
        print(f"ok: {name}: requirement {ref} resolves on ConanCenter to {max(ok, key=vkey)} "
              f"(admits {', '.join(ok)})")
    cf.validate()
    cf.package()
    cf.package_info()
    headers = sum(len(f) for _, _, f in os.walk(os.path.join(cf.package_folder, "include")))
    if not os.path.exists(os.path.join(cf.package_folder, "include", "clm", "clm.hpp")):
        fail("conanfile.py package(): include/clm/clm.hpp is not in the package")
    # CMakeDeps' output for clm, from package_info(): the file and target names it sets,
    # a target for each component with the include directory and the targets of its
    # requirements (found here on the system), and the aggregate of the components.
    fname = cf.cpp_info.properties.get("cmake_file_name", "clm")
    provides = {"xtensor::xtensor": ("find_package(xtensor REQUIRED)", "xtensor"),
                "openblas::openblas": ("set(BLA_VENDOR OpenBLAS)\nfind_package(BLAS REQUIRED)\n"
                                       "find_package(LAPACK REQUIRED)", "BLAS::BLAS;LAPACK::LAPACK"),
                "sqlite3::sqlite": ("find_package(SQLite3 REQUIRED)", "SQLite::SQLite3"),
                "libpq::pq": ("find_package(PostgreSQL REQUIRED)", "PostgreSQL::PostgreSQL")}
    components = cf.cpp_info.components or {"": cf.cpp_info}
    targets = {c: info.properties.get("cmake_target_name", f"clm::{c or 'clm'}") for c, info in components.items()}
    expected = {"clm::clm"} | {f"clm::{k[len('with_'):]}" for k, v in options.items() if v}
    if set(targets.values()) != expected:
        fail(f"{name}: package_info() gives the targets {sorted(targets.values())}, expected {sorted(expected)}")
    inc = os.path.join(cf.package_folder, "include")
    finds, body = [], []
    for c, info in components.items():
        links = []
        for r in info.requires:
            if r in components:
                links.append(targets[r])
            elif r in provides:
                if provides[r][0] not in finds:
                    finds.append(provides[r][0])
                links.append(provides[r][1])
            else:
                fail(f"package_info requires {r}, which this emulation does not know")
        dirs = ";".join(os.path.join(cf.package_folder, d) for d in info.includedirs)
        body.append(f"if(NOT TARGET {targets[c]})\n  add_library({targets[c]} INTERFACE IMPORTED)\n"
                    f"  set_target_properties({targets[c]} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES \"{dirs}\"\n"
                    f"    INTERFACE_LINK_LIBRARIES \"{';'.join(links)};Threads::Threads\")\nendif()\n")
    root = cf.cpp_info.properties.get("cmake_target_name")
    if cf.cpp_info.components:
        if root in targets.values():
            fail(f"{name}: the aggregate target {root} has a component's name: linking it would bring every component")
        body.append(f"add_library({root} INTERFACE IMPORTED)\n"
                    f"set_target_properties({root} PROPERTIES INTERFACE_LINK_LIBRARIES \"{';'.join(targets.values())}\")\n")
    deps = os.path.join(WORK, name, "generators")
    os.makedirs(deps)
    with open(os.path.join(deps, f"{fname}-config.cmake"), "w") as f:
        f.write("# written by scripts/package_check/check.py as Conan's CMakeDeps would\n")
        f.write("\n".join(finds) + "\nfind_package(Threads REQUIRED)\n" + "".join(body))
    print(f"ok: {name} package(): {headers} headers; package_info(): "
          + "; ".join(f"{targets[c]} needs {', '.join(i.requires)}" for c, i in components.items()))
    build_test_package(name, [deps] + env_prefixes(), sorted(expected - {"clm::clm"}))


def check_vcpkg():
    for manifest in ("vcpkg.json", os.path.join("ports", "clm", "vcpkg.json")):
        d = json.load(open(os.path.join(ROOT, manifest)))
        names = [x if isinstance(x, str) else x["name"] for x in d.get("dependencies", [])]
        for feat in d.get("features", {}).values():
            names += [x if isinstance(x, str) else x["name"] for x in feat.get("dependencies", [])]
        unknown = sorted(set(names) - VCPKG_PORTS)
        if unknown:
            fail(f"{manifest}: dependencies {unknown} are not among the ports clm may use")
        print(f"ok: {manifest}: dependencies {', '.join(names)}")
    root = json.load(open(os.path.join(ROOT, "vcpkg.json")))
    # CLM_BUILD_TESTS is ON for a top-level configure, so a plain manifest configure needs
    # the tests feature's dependencies by default.
    if "tests" not in root.get("default-features", []):
        fail("vcpkg.json: the tests feature is not a default feature, but tests are built by default")
    print("ok: vcpkg.json configures with its defaults (tests is a default feature)")
    port = os.path.join(WORK, "vcpkg", "port")
    shutil.rmtree(os.path.join(WORK, "vcpkg"), ignore_errors=True)
    make_pinned_port(port)
    installed = os.path.join(WORK, "vcpkg", "packages", "clm")
    components = {"sqlite": "clmSqliteTargets.cmake", "postgres": "clmPostgresTargets.cmake"}

    def install(features):
        run(["cmake", f"-DPORT_DIR={os.path.join(port, 'clm')}", f"-DWORK={os.path.join(WORK, 'vcpkg')}",
             f"-DFEATURES={';'.join(features)}", f"-DCMAKE_PREFIX_PATH={';'.join(env_prefixes())}",
             "-P", os.path.join(ROOT, "scripts", "package_check", "vcpkg_emulation.cmake")])
        for feature, targets in components.items():
            there = os.path.exists(os.path.join(installed, "share", "clm", targets))
            if there != (feature in features):
                fail(f"vcpkg port with features {features or 'none'}: {targets} "
                     f"{'installed' if there else 'missing'}")
    # Without features the components are not installed, even where their libraries exist;
    # with them they are (the rest of the check uses the full install).
    install([])
    install(list(components))
    print("ok: vcpkg port: the features sqlite and postgres install exactly their components")
    for must in ("share/clm/clmConfig.cmake", "share/clm/usage", "share/clm/copyright",
                 "include/clm/clm.hpp"):
        if not os.path.exists(os.path.join(installed, must)):
            fail(f"vcpkg port: {must} is not installed")
    print(f"ok: vcpkg port (pinned to HEAD) installs config, usage, copyright and headers")
    build_test_package("vcpkg", [installed] + env_prefixes(), list(f"clm::{c}" for c in components))


def make_pinned_port(out):
    """The overlay port pinned to this checkout's HEAD (scripts/dev vcpkg-port)."""
    head = run(["git", "-C", ROOT, "rev-parse", "HEAD"]).strip()
    dst = os.path.join(out, "clm")
    shutil.copytree(os.path.join(ROOT, "ports", "clm"), dst, dirs_exist_ok=True)
    with open(os.path.join(dst, "pin.cmake"), "w") as f:
        f.write(f'set(CLM_GIT_URL "file://{ROOT}")\nset(CLM_GIT_REF "{head}")\n')
    return dst, head


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "vcpkg-port":
        dst, head = make_pinned_port(os.path.abspath(sys.argv[2]))
        print(f"{dst}: clm pinned to {head}; vcpkg install clm --overlay-ports={os.path.dirname(dst)}")
        sys.exit(0)
    os.makedirs(WORK, exist_ok=True)
    check_versions()
    check_conan()
    check_vcpkg()
    print("package-check: ok (emulated: no vcpkg or Conan tool or registry is used)")
