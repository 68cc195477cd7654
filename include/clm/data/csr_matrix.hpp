#pragma once
// clm::csr_matrix<T>: compressed sparse rows (row pointers, column indices sorted within
// each row, values), scipy.sparse.csr_matrix's layout. Holds interactions (users x items)
// and sparse one-hot encodings.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "clm/core/error.hpp"

namespace clm {

template <class T = double>
struct csr_matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<std::size_t> indptr{0};  ///< rows + 1 offsets into indices/values
  std::vector<std::int32_t> indices;   ///< column of each stored value, sorted within a row
  std::vector<T> values;

  std::size_t nnz() const noexcept { return indices.size(); }
  std::size_t row_begin(std::size_t i) const noexcept { return indptr[i]; }
  std::size_t row_end(std::size_t i) const noexcept { return indptr[i + 1]; }

  /// The stored value at (i, j), or 0.
  T at(std::size_t i, std::size_t j) const {
    const auto b = indices.begin() + static_cast<std::ptrdiff_t>(indptr[i]);
    const auto e = indices.begin() + static_cast<std::ptrdiff_t>(indptr[i + 1]);
    const auto it = std::lower_bound(b, e, static_cast<std::int32_t>(j));
    return it != e && *it == static_cast<std::int32_t>(j) ? values[static_cast<std::size_t>(it - indices.begin())] : T(0);
  }

  /// The transpose, also in CSR form (sorted indices), in O(nnz + rows + cols).
  csr_matrix transpose() const {
    csr_matrix t;
    t.rows = cols;
    t.cols = rows;
    t.indptr = transposed_indptr();
    std::vector<std::int32_t> row_of(nnz());
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t k = indptr[i]; k < indptr[i + 1]; ++k) row_of[k] = static_cast<std::int32_t>(i);
    }
    t.indices = transpose_aligned(row_of, t.indptr);
    t.values = transpose_aligned(values, t.indptr);
    return t;
  }

  /// Values aligned with this matrix's entries (one per entry, in storage order), moved to
  /// the transpose's storage order.
  template <class U>
  std::vector<U> transpose_aligned(const std::vector<U>& aligned) const {
    return transpose_aligned(aligned, transposed_indptr());
  }

 private:
  std::vector<std::size_t> transposed_indptr() const {
    std::vector<std::size_t> p(cols + 1, 0);
    for (auto j : indices) ++p[static_cast<std::size_t>(j) + 1];
    for (std::size_t j = 0; j < cols; ++j) p[j + 1] += p[j];
    return p;
  }
  template <class U>
  std::vector<U> transpose_aligned(const std::vector<U>& aligned, const std::vector<std::size_t>& t_indptr) const {
    std::vector<U> out(aligned.size());
    std::vector<std::size_t> fill(t_indptr.begin(), t_indptr.end() - 1);
    for (std::size_t k = 0; k < indices.size(); ++k) out[fill[static_cast<std::size_t>(indices[k])]++] = aligned[k];
    return out;
  }

 public:
  /// Throws clm::invalid_argument unless the structure is consistent (used on loaded data).
  void validate() const {
    // indptr.size() - 1 == rows, not indptr.size() == rows + 1: rows + 1 wraps to 0 when a
    // loaded file claims rows = 2^64 - 1.
    if (indptr.empty() || indptr.size() - 1 != rows || indptr.front() != 0 || indptr.back() != indices.size() ||
        values.size() != indices.size()) {
      throw invalid_argument("csr_matrix: inconsistent row pointers, indices and values");
    }
    // Every row pointer is checked before any row is read: with indptr.back() equal to the
    // value count, non-decreasing pointers keep every row inside the arrays.
    for (std::size_t i = 0; i < rows; ++i) {
      if (indptr[i] > indptr[i + 1]) throw invalid_argument("csr_matrix: decreasing row pointers");
    }
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t k = indptr[i]; k < indptr[i + 1]; ++k) {
        if (indices[k] < 0 || static_cast<std::size_t>(indices[k]) >= cols ||
            (k > indptr[i] && indices[k] <= indices[k - 1])) {
          throw invalid_argument("csr_matrix: row " + std::to_string(i) +
                                 " has column indices out of range or not strictly increasing");
        }
      }
    }
  }

  /// Saved and loaded with the model that holds it; a loaded matrix is validated.
  template <class A>
  void serialize(A& ar) {
    ar(rows, cols, indptr, indices, values);
    if constexpr (A::loading) {
      try {
        validate();
      } catch (const invalid_argument& e) {
        ar.check(false, e.what());
      }
    }
  }

  friend bool operator==(const csr_matrix&, const csr_matrix&) = default;
};

}  // namespace clm
