// An order log from any CSV text (customer_id, date, amount, item), then the customer summary
// and RFM features; options from the first byte.
#include <clm/data/csv.hpp>
#include <clm/data/transactions.hpp>
#include <clm/features/rfm.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t a = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    clm::csv_options csv;
    csv.types["customer_id"] = clm::column_type::categorical;
    if (a & 1) csv.types["item"] = clm::column_type::categorical;
    const clm::table t = clm::read_csv_text(text, csv, "<fuzz>");
    const clm::transaction_columns cols{.customer = "customer_id", .date = "date",
                                        .amount = (a & 2) ? "amount" : "", .item = (a & 1) ? "item" : ""};
    const auto log = clm::transactions_from_table(t, cols, {.date_format = (a & 4) ? "%d/%m/%Y" : "",
                                                            .skip_bad_rows = (a & 8) != 0});
    clm::summary_options o;
    o.unit = (a & 16) ? clm::time_unit::day : clm::time_unit::week;
    if (a & 32) o.calibration_end = clm::parse_date("2024-03-01");
    if (a & 64) o.observation_end = clm::parse_date("2024-06-01");
    const auto s = clm::summarize(log, o);
    (void)s.compressed();
    (void)clm::rfm_features(s);
  } catch (const clm::error&) {
  }
  return 0;
}
