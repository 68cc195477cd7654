#pragma once
// Every error clm throws derives from clm::error. Messages say what was expected and
// what was seen.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace clm {

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A parameter or argument value out of its domain (names the field and the value).
class invalid_argument : public error {
 public:
  using error::error;
};

/// Mismatched rows, a wrong column count, an empty input.
class shape_error : public error {
 public:
  using error::error;
};

/// A method that needs a fitted model was called before fit().
class not_fitted : public error {
 public:
  using error::error;
};

/// NaN or Inf where none may be, or a fit that diverged.
class numeric_error : public error {
 public:
  using error::error;
};

/// A database refused a statement or lost its connection: the server's message, the
/// statement's first characters; never a connection's password.
class database_error : public error {
 public:
  using error::error;
};

/// A fit across processes failed: a rank's error (every rank throws it, naming the rank),
/// ranks that disagree on parameters or columns, or a failed message (MPI's reason).
class distributed_error : public error {
 public:
  using error::error;
};

/// A model file that is truncated, corrupt, of another model kind or of a newer format.
class format_error : public error {
 public:
  using error::error;
};

/// A text input (CSV, dates) that does not parse. Carries file, line and column (1-based;
/// 0 when not applicable).
class parse_error : public error {
 public:
  parse_error(std::string file, std::size_t line, std::size_t column, const std::string& what)
      : error(format(file, line, column, what)),
        file_(std::move(file)),
        line_(line),
        column_(column) {}

  const std::string& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  static std::string format(const std::string& file, std::size_t line, std::size_t column,
                            const std::string& what) {
    std::string s = file.empty() ? std::string("<stream>") : file;
    if (line != 0) s += ":" + std::to_string(line);
    if (column != 0) s += ":" + std::to_string(column);
    return s + ": " + what;
  }

  std::string file_;
  std::size_t line_;
  std::size_t column_;
};

}  // namespace clm
