// read_csv on any bytes, with the options the first two bytes choose. Any exception other
// than a clm::error, any crash, leak or undefined behaviour is a finding.
#include <clm/data/csv.hpp>
#include <clm/data/dates.hpp>

#include <cstdint>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t a = data[0], b = data[1];
  clm::csv_options o;
  o.delimiter = ",;\t|"[a & 3];
  o.whitespace = (a & 4) != 0;
  o.header = (a & 8) == 0;
  o.quote = (a & 16) ? '\'' : '"';
  o.quoted_is_text = (a & 32) != 0;
  o.bad_numbers_as_missing = (a & 64) != 0;
  std::size_t bad = 0;
  if (a & 128) o.bad_numbers = &bad;
  if (b & 1) o.na_values.clear();
  const char* first = o.header ? "a" : "c0";
  const char* second = o.header ? "b" : "c1";
  if (b & 2) o.types[first] = clm::column_type::numeric;
  if (b & 4) o.types[second] = clm::column_type::categorical;
  if (b & 8) {
    o.converters[second] = clm::csv_converter{[](std::string_view t, double& out) {
                                                clm::timestamp ts;
                                                if (!clm::parse_timestamp(t, "", ts)) return false;
                                                out = static_cast<double>(ts.seconds);
                                                return true;
                                              },
                                              "a date"};
  }
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  try {
    const clm::table t = clm::read_csv_text(text, o, "<fuzz>");
    std::ostringstream out;
    clm::write_csv(t, out);
    if (b & 16) (void)t.drop_duplicates();
  } catch (const clm::error&) {
  }
  return 0;
}
