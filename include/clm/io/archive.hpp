#pragma once
// Model persistence: one serialize(archive&) visitor per estimator for both directions,
// a versioned little-endian binary format, clm::save(model, path) and clm::load<M>(path).
//
// File layout (all integers little-endian):
//
//   offset  size  field
//   0       8     magic "\x89CLM\r\n\x1a\n"
//   8       4     format version (this library writes 1 and reads <= 1)
//   12      6     library version that wrote the file: major, minor, patch (u16 each)
//   18      4+n   model kind: u32 length n (<= 256) then n bytes, e.g. "standard_scaler<f64>"
//   ..      4     model's own serial version (M::serial_version; older ones may be loadable)
//   ..      8     payload length p
//   ..      p     payload, written by M::serialize
//   ..      8     FNV-1a 64 checksum of every byte before it
//
// A saveable model M is default-constructible and has
//   static std::string model_kind();
//   static constexpr std::uint32_t serial_version;
//   template <class Archive> void serialize(Archive& ar);   // ar(field, field, ...)
// In serialize, `Archive::loading` tells the direction, `ar.version()` the serial version
// of the file being read, and `ar.check(cond, what)` rejects inconsistent loaded state.
//
// Guarantees on load: a truncated, corrupted (checksum), foreign (magic), newer (format or
// serial version) or mismatched (model kind) file throws clm::format_error. Every length
// is checked against the bytes that remain before anything is allocated, so a hostile
// file never makes the loader allocate more than the file's own size (plus the model).
// Any other clm::error raised while rebuilding the model (a parameter out of range, say)
// is reported as clm::format_error too.

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "clm/core/error.hpp"
#include "clm/core/types.hpp"
#include "clm/version.hpp"

namespace clm {

inline constexpr std::uint32_t archive_format_version = 1;

namespace detail {

inline constexpr std::array<char, 8> archive_magic = {'\x89', 'C', 'L', 'M', '\r', '\n', '\x1a', '\n'};
inline constexpr std::size_t max_kind_length = 256;

inline std::uint64_t fnv1a64(const char* p, std::size_t n) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <class T>
concept archive_scalar = std::is_arithmetic_v<T> || std::is_enum_v<T>;

/// Unsigned integer type of the same width, through which scalars are stored.
template <class T>
using bits_of = std::conditional_t<sizeof(T) == 1, std::uint8_t,
                std::conditional_t<sizeof(T) == 2, std::uint16_t,
                std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;

/// The fewest bytes an encoded value of type T takes: its width for a scalar, the 8-byte
/// count for a string or container, the presence flag for an optional, 1 for anything else
/// (an aggregate of fields, at least one of which is encoded).
template <class T>
constexpr std::size_t min_encoded_size() {
  if constexpr (std::is_same_v<T, bool>) {
    return 1;
  } else if constexpr (archive_scalar<T>) {
    return sizeof(T);
  } else if constexpr (requires(T& v) { v.has_value(); v.emplace(); }) {
    return 1;
  } else if constexpr (requires { std::tuple_size<T>::value; typename T::value_type; }) {  // std::array
    return std::tuple_size<T>::value * min_encoded_size<typename T::value_type>();
  } else if constexpr (requires(T& v) { typename T::value_type; v.size(); }) {
    return 8;
  } else {
    return 1;
  }
}

template <class T>
bits_of<T> to_bits(T v) noexcept {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? 1 : 0;
  } else if constexpr (std::is_enum_v<T>) {
    return static_cast<bits_of<T>>(static_cast<std::underlying_type_t<T>>(v));
  } else {
    return std::bit_cast<bits_of<T>>(v);
  }
}

}  // namespace detail

/// Writes a model's fields into a byte buffer.
class output_archive {
 public:
  static constexpr bool loading = false;

  explicit output_archive(std::uint32_t version) : version_(version) {}

  std::uint32_t version() const noexcept { return version_; }
  void check(bool, std::string_view) const noexcept {}

  /// A model inside this one (a pipeline's step): its own serial version is written before
  /// its fields, and version() reports that version while they are written.
  template <class M>
  void nested(const M& m) {
    write_uint(static_cast<std::uint32_t>(M::serial_version));
    const std::uint32_t outer = version_;
    version_ = static_cast<std::uint32_t>(M::serial_version);
    const_cast<M&>(m).serialize(*this);  // writing only reads the fields
    version_ = outer;
  }

  template <class... Ts>
  void operator()(const Ts&... values) {
    (write(values), ...);
  }

  const std::string& bytes() const noexcept { return buf_; }
  std::string take() noexcept { return std::move(buf_); }

  void write_raw(const void* p, std::size_t n) {
    if (n > 0) buf_.append(static_cast<const char*>(p), n);
  }

 private:
  template <class U>
  void write_uint(U v) {
    char b[sizeof(U)];
    for (std::size_t i = 0; i < sizeof(U); ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    buf_.append(b, sizeof(U));
  }

  void write_size(std::size_t n) { write_uint(static_cast<std::uint64_t>(n)); }

  template <class T>
  void write_block(const T* p, std::size_t n) {
    if constexpr (std::endian::native == std::endian::little && !std::is_same_v<T, bool>) {
      write_raw(p, n * sizeof(T));
    } else {
      for (std::size_t i = 0; i < n; ++i) write(p[i]);
    }
  }

  template <class T>
  void write(const T& v) {
    if constexpr (detail::archive_scalar<T>) {
      write_uint(detail::to_bits(v));
    } else if constexpr (std::is_same_v<T, std::string>) {
      write_size(v.size());
      write_raw(v.data(), v.size());
    } else if constexpr (requires { typename T::value_type; v.data(); v.shape(); }) {  // xtensor
      for (auto s : v.shape()) write_size(s);
      write_block(v.data(), v.size());
    } else if constexpr (requires { typename T::value_type; v.has_value(); }) {  // optional
      write(v.has_value());
      if (v) write(*v);
    } else if constexpr (requires { std::tuple_size<T>::value; v.data(); }) {  // std::array
      for (const auto& e : v) write(e);
    } else if constexpr (requires { typename T::value_type; v.size(); v.begin(); }) {  // vector
      write_size(v.size());
      if constexpr (detail::archive_scalar<typename T::value_type> &&
                    !std::is_same_v<typename T::value_type, bool>) {
        write_block(v.data(), v.size());
      } else {
        for (const auto& e : v) write(e);
      }
    } else {
      const_cast<T&>(v).serialize(*this);  // writing only reads the fields
    }
  }

  std::uint32_t version_;
  std::string buf_;
};

/// Reads a model's fields from a byte buffer, checking every length against what remains.
class input_archive {
 public:
  static constexpr bool loading = true;

  input_archive(std::string_view bytes, std::uint32_t version) : p_(bytes), version_(version) {}

  std::uint32_t version() const noexcept { return version_; }

  /// A model inside this one, written by output_archive::nested: its stored serial version
  /// (1 to M::serial_version, else format_error) is what version() reports while its fields
  /// are read.
  template <class M>
  void nested(M& m) {
    const auto v = read_uint<std::uint32_t>();
    if (v == 0 || v > M::serial_version) {
      throw format_error("model file: a nested '" + std::string(M::model_kind()) + "' has serial version " +
                         std::to_string(v) + ", expected 1 to " + std::to_string(M::serial_version));
    }
    const std::uint32_t outer = version_;
    version_ = v;
    m.serialize(*this);
    version_ = outer;
  }

  /// Rejects loaded state that no fitted model could have.
  void check(bool ok, std::string_view what) const {
    if (!ok) throw format_error("model file: inconsistent content: " + std::string(what));
  }

  template <class... Ts>
  void operator()(Ts&... values) {
    (read(values), ...);
  }

  std::size_t remaining() const noexcept { return p_.size() - pos_; }

  /// Rejects the next container unless its stored count is n (peeked, not consumed): a
  /// container whose size another field fixes is refused before it is allocated.
  void expect_count(std::uint64_t n, std::string_view what) const {
    need(8);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p_[pos_ + i])) << (8 * i);
    if (v != n) {
      throw format_error("model file: inconsistent content: " + std::string(what) + ": " + std::to_string(v) +
                         " stored, " + std::to_string(n) + " expected");
    }
  }

  void read_raw(void* dst, std::size_t n) {
    need(n);
    if (n == 0) return;  // dst may be null (an empty container)
    std::memcpy(dst, p_.data() + pos_, n);
    pos_ += n;
  }

 private:
  void need(std::size_t n) const {
    if (n > remaining()) {
      throw format_error("model file: truncated payload (needed " + std::to_string(n) +
                         " more bytes, " + std::to_string(remaining()) + " remain)");
    }
  }

  template <class U>
  U read_uint() {
    need(sizeof(U));
    U v = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) {
      v |= static_cast<U>(static_cast<unsigned char>(p_[pos_ + i])) << (8 * i);
    }
    pos_ += sizeof(U);
    return v;
  }

  /// A count of elements of `elem_size` bytes each: must fit in what remains.
  std::size_t read_count(std::size_t elem_size) {
    const std::uint64_t n = read_uint<std::uint64_t>();
    if (elem_size != 0 && n > remaining() / elem_size) {
      throw format_error("model file: a length of " + std::to_string(n) +
                         " elements exceeds the " + std::to_string(remaining()) +
                         " bytes that remain");
    }
    return static_cast<std::size_t>(n);
  }

  template <class T>
  void read_block(T* p, std::size_t n) {
    if constexpr (std::endian::native == std::endian::little && !std::is_same_v<T, bool>) {
      read_raw(p, n * sizeof(T));
    } else {
      for (std::size_t i = 0; i < n; ++i) read(p[i]);
    }
  }

  template <class T>
  void read(T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      const auto b = read_uint<std::uint8_t>();
      if (b > 1) throw format_error("model file: a boolean field holds " + std::to_string(b));
      v = b == 1;
    } else if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(
          static_cast<std::underlying_type_t<T>>(read_uint<detail::bits_of<T>>()));
    } else if constexpr (std::is_arithmetic_v<T>) {
      v = std::bit_cast<T>(read_uint<detail::bits_of<T>>());
    } else if constexpr (std::is_same_v<T, std::string>) {
      const std::size_t n = read_count(1);
      v.assign(p_.data() + pos_, n);
      pos_ += n;
    } else if constexpr (requires { typename T::value_type; v.data(); v.shape(); }) {  // xtensor
      using E = typename T::value_type;
      typename T::shape_type shape;
      std::size_t extent = 1;  // the product of the non-zero dimensions
      bool empty = false;
      for (auto& s : shape) {
        s = read_count(0);
        if (s == 0) empty = true;
        else extent = extent > std::numeric_limits<std::size_t>::max() / s ? SIZE_MAX : extent * s;
      }
      // An empty array may have one huge dimension (2^63 x 0), whose strides xtensor computes
      // in signed arithmetic: no array has more than 2^48 elements, empty or not.
      if (extent > (std::size_t{1} << 48)) {
        throw format_error("model file: an array whose non-empty dimensions span " + std::to_string(extent) +
                           " elements (at most 2^48 expected)");
      }
      const std::size_t total = empty ? 0 : extent;
      if (total > remaining() / sizeof(E)) {
        throw format_error("model file: an array of " + std::to_string(total) +
                           " elements exceeds the " + std::to_string(remaining()) +
                           " bytes that remain");
      }
      v = T::from_shape(shape);
      read_block(v.data(), total);
    } else if constexpr (requires { typename T::value_type; v.has_value(); v.emplace(); }) {
      bool present = false;
      read(present);
      if (present) {
        v.emplace();
        read(*v);
      } else {
        v.reset();
      }
    } else if constexpr (requires { std::tuple_size<T>::value; v.data(); }) {  // std::array
      for (auto& e : v) read(e);
    } else if constexpr (requires { typename T::value_type; v.resize(0); }) {  // vector
      using E = typename T::value_type;
      // Each element takes at least min_encoded_size bytes of the file: a count beyond what
      // remains is refused before anything is allocated, and the vector is sized once.
      const std::size_t n = read_count(detail::min_encoded_size<E>());
      v.clear();
      if constexpr (detail::archive_scalar<E> && !std::is_same_v<E, bool>) {
        v.resize(n);
        read_block(v.data(), n);
      } else {
        v.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
          E e{};
          read(e);
          v.push_back(std::move(e));
        }
      }
    } else {
      v.serialize(*this);
    }
  }

  std::string_view p_;
  std::size_t pos_ = 0;
  std::uint32_t version_;
};

/// A model that clm::save and clm::load can handle.
template <class M>
concept saveable = std::default_initializable<M> && requires(M& m, output_archive& o,
                                                             input_archive& i) {
  { M::model_kind() } -> std::convertible_to<std::string>;
  { M::serial_version } -> std::convertible_to<std::uint32_t>;
  m.serialize(o);
  m.serialize(i);
};

namespace detail {
/// A model file around `payload`: magic, versions, kind, serial version, payload length,
/// payload and checksum. (Also what tests and fuzzers use to re-wrap an edited payload.)
inline std::string model_file(std::string_view kind, std::uint32_t serial_version, std::string_view payload) {
  output_archive file(serial_version);
  file.write_raw(archive_magic.data(), archive_magic.size());
  if (kind.size() > max_kind_length) {
    throw invalid_argument("clm::save: model kind '" + std::string(kind) + "' is longer than " +
                           std::to_string(max_kind_length) + " bytes");
  }
  file(archive_format_version, static_cast<std::uint16_t>(CLM_VERSION_MAJOR),
       static_cast<std::uint16_t>(CLM_VERSION_MINOR), static_cast<std::uint16_t>(CLM_VERSION_PATCH),
       static_cast<std::uint32_t>(kind.size()));
  file.write_raw(kind.data(), kind.size());
  file(serial_version, static_cast<std::uint64_t>(payload.size()));
  file.write_raw(payload.data(), payload.size());
  const std::uint64_t sum = fnv1a64(file.bytes().data(), file.bytes().size());
  file(sum);
  return file.take();
}
}  // namespace detail

/// The model as the bytes of a model file.
template <saveable M>
std::string save_bytes(const M& model) {
  output_archive payload(M::serial_version);
  const_cast<M&>(model).serialize(payload);  // writing only reads the fields
  return detail::model_file(M::model_kind(), static_cast<std::uint32_t>(M::serial_version), payload.bytes());
}

/// Header fields of a model file, read without loading the model.
struct archive_info {
  std::uint32_t format_version = 0;
  std::array<std::uint16_t, 3> library_version{};
  std::string kind;
  std::uint32_t serial_version = 0;
  std::size_t payload_offset = 0;
  std::size_t payload_size = 0;
};

/// Checks magic, checksum and format version and returns the header. Throws clm::format_error.
inline archive_info inspect_bytes(std::string_view bytes) {
  constexpr std::size_t min_size = 8 + 4 + 6 + 4 + 4 + 8 + 8;
  if (bytes.size() < min_size) {
    throw format_error("model file: " + std::to_string(bytes.size()) +
                       " bytes is too short to be a clm model file (at least " +
                       std::to_string(min_size) + " expected)");
  }
  if (std::memcmp(bytes.data(), detail::archive_magic.data(), detail::archive_magic.size()) != 0) {
    throw format_error("model file: not a clm model file (magic bytes do not match)");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  input_archive tail(bytes.substr(bytes.size() - 8), 0);
  std::uint64_t stored = 0;
  tail(stored);
  if (stored != detail::fnv1a64(body.data(), body.size())) {
    throw format_error("model file: checksum mismatch: the file is truncated or corrupted");
  }
  input_archive head(body.substr(detail::archive_magic.size()), 0);
  archive_info info;
  head(info.format_version);
  if (info.format_version == 0 || info.format_version > archive_format_version) {
    throw format_error("model file: format version " + std::to_string(info.format_version) +
                       " is not supported (this library reads 1 to " +
                       std::to_string(archive_format_version) + "); written by a newer clm?");
  }
  head(info.library_version[0], info.library_version[1], info.library_version[2]);
  std::uint32_t kind_length = 0;
  head(kind_length);
  if (kind_length > detail::max_kind_length || kind_length > head.remaining()) {
    throw format_error("model file: model kind of length " + std::to_string(kind_length) +
                       " (at most " + std::to_string(detail::max_kind_length) + " expected)");
  }
  info.kind.resize(kind_length);
  head.read_raw(info.kind.data(), kind_length);
  std::uint64_t payload_size = 0;
  head(info.serial_version, payload_size);
  if (payload_size != head.remaining()) {
    throw format_error("model file: payload length " + std::to_string(payload_size) +
                       " does not match the " + std::to_string(head.remaining()) +
                       " bytes present");
  }
  info.payload_size = static_cast<std::size_t>(payload_size);
  info.payload_offset = body.size() - info.payload_size;
  return info;
}

/// Rebuilds a model from the bytes of a model file. Throws clm::format_error.
template <saveable M>
M load_bytes(std::string_view bytes) {
  const archive_info info = inspect_bytes(bytes);
  const std::string expected = M::model_kind();
  if (info.kind != expected) {
    throw format_error("model file: holds a '" + info.kind + "', expected a '" + expected + "'");
  }
  if (info.serial_version == 0 || info.serial_version > M::serial_version) {
    throw format_error("model file: '" + info.kind + "' serial version " +
                       std::to_string(info.serial_version) + " is newer than this library's " +
                       std::to_string(M::serial_version));
  }
  input_archive in(bytes.substr(info.payload_offset, info.payload_size), info.serial_version);
  M model;
  try {
    model.serialize(in);
  } catch (const format_error&) {
    throw;
  } catch (const error& e) {
    throw format_error(std::string("model file: invalid content: ") + e.what());
  }
  if (in.remaining() != 0) {
    throw format_error("model file: " + std::to_string(in.remaining()) +
                       " unread bytes after the model");
  }
  return model;
}

namespace detail {

/// A temporary name beside `path`, distinct for every call in every thread and process
/// (the time, a per-process counter and this thread's and a stack address's hash), so
/// programs saving to one path at once each write their own file and the last rename wins.
inline std::filesystem::path unique_temporary(const std::filesystem::path& path) {
  static std::atomic<std::uint64_t> counter{0};
  const int local = 0;
  const std::uint64_t mix = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                            (std::hash<std::thread::id>{}(std::this_thread::get_id()) << 1) ^
                            (reinterpret_cast<std::uintptr_t>(&local) << 7) ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
  std::filesystem::path tmp = path;
  tmp += "." + std::to_string(mix % 1000000007ull) + ".tmp";
  return tmp;
}

}  // namespace detail

/// Writes the model to `path` (through a temporary file beside it renamed into place, so a
/// reader never sees half a file, and several writers each leave a whole one). Throws
/// clm::error when the file cannot be written.
template <saveable M>
void save(const M& model, const std::filesystem::path& path) {
  const std::string bytes = save_bytes(model);
  const std::filesystem::path tmp = detail::unique_temporary(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw error("clm::save: cannot open '" + tmp.string() + "' for writing");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw error("clm::save: writing '" + tmp.string() + "' failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw error("clm::save: cannot move the model file into '" + path.string() + "'");
  }
}

/// Reads a whole file into memory; throws clm::format_error when it cannot be read.
inline std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw format_error("model file: cannot open '" + path.string() + "'");
  const std::streamoff size = in.tellg();
  if (size < 0) throw format_error("model file: cannot size '" + path.string() + "'");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  in.read(bytes.data(), size);
  if (in.gcount() != size) throw format_error("model file: cannot read '" + path.string() + "'");
  return bytes;
}

/// Loads a model of type M saved by clm::save. Throws clm::format_error.
template <saveable M>
M load(const std::filesystem::path& path) {
  try {
    return load_bytes<M>(read_file_bytes(path));
  } catch (const format_error& e) {
    throw format_error(path.string() + ": " + e.what());
  }
}

}  // namespace clm
