#!/usr/bin/env bash
# Checks of examples/lifecycle_report, run by CTest:
#   report_checks.sh REPORT synthetic   outputs of the simulated run (files, rows, charts)
#   report_checks.sh REPORT cdnow [untimed]  CDNOW_sample: the published BG/NBD parameters;
#                                       CDNOW_master: the whole report with the model
#                                       comparison in under 2 s (not checked for an
#                                       unoptimised, sanitised build: untimed), the at-risk
#                                       score's AUC, BG/NBD against lifetimes' method
#   report_checks.sh REPORT bad-input   each bad input ends with one message and exit code 1
#   report_checks.sh REPORT render      report.html in headless Chromium: every chart drawn
#                                       with a non-zero size, no console error
#   report_checks.sh REPORT sqlite      score_database (beside REPORT) fills and scores an
#                                       SQLite shop; the report reads it with --sqlite --query
#                                       and writes its scores with --write-scores
#   report_checks.sh REPORT postgres    the same with --postgres on the server CLM_TEST_POSTGRES
#                                       names (scripts/dev test starts one), loaded with psql
# Exit 77 (CTest's SKIP_RETURN_CODE) when what a check needs is missing.
set -uo pipefail
report=$1
mode=$2
timing=${3:-timed}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
charts="segment-sizes segment-value clv-distribution p-alive-matrix holdout-validation cumulative-repeat cohort-retention churn-roc churn-gain"

case "$mode" in
  synthetic)
    "$report" --customers 3000 --out "$work/out" > "$work/stdout" || fail "the report exited with $?"
    cat "$work/stdout"
    for f in customers.csv segments.csv report.html gamma_gamma.clm churn.clm rfm_segments.clm item_knn.clm; do
      [ -s "$work/out/$f" ] || fail "$f is missing or empty"
    done
    # --model auto (the default): the three purchase models compared on the holdout, the
    # chosen one saved.
    chosen=$(sed -n 's/^4a. purchase model choice .* -> \([a-z_]*\)$/\1/p' "$work/stdout")
    case "$chosen" in bg_nbd|mbg_nbd|pareto_nbd) ;; *) fail "no purchase model chosen: '$chosen'" ;; esac
    [ -s "$work/out/$chosen.clm" ] || fail "$chosen.clm (the chosen model) is missing"
    grep -q "RMSE per customer" "$work/out/report.html" || fail "report.html lacks the model comparison"
    # The key figures with their meanings, the holdout check in words, one name per meaning.
    for k in "Key figures" "holdout churn rate" "expected CLV, all customers" "holdout check" "repeat purchases in the holdout" \
             "suggested action" "revenue share"; do
      grep -q "$k" "$work/out/report.html" || fail "report.html lacks '$k'"
    done
    head -1 "$work/out/segments.csv" | grep -q "mean_time_since_last_purchase,.*mean_holdout_churned" ||
      fail "segments.csv: recency not named for what it is, or no churn rate"
    rows=$(($(wc -l < "$work/out/customers.csv") - 1))
    [ "$rows" -ge 2500 ] || fail "customers.csv has $rows customers"
    # Every customer with calibration purchases has recommendations (top-5 items, ';'-separated).
    with_items=$(grep -c ';I' "$work/out/customers.csv")
    [ "$with_items" -ge $((rows * 9 / 10)) ] || fail "only $with_items of $rows customers have recommendations"
    for c in $charts; do grep -q "id=\"$c\"" "$work/out/report.html" || fail "chart $c is missing"; done
    grep -q "<script" "$work/out/report.html" && fail "report.html must not need scripts"
    grep -q "simulated population" "$work/stdout" || fail "the run does not say its data are simulated"
    # The other purchase model and recommender.
    "$report" --customers 2000 --model pareto_nbd --recommender ease --quiet --out "$work/other" || fail "pareto_nbd + ease: exit $?"
    for f in pareto_nbd.clm ease.clm report.html; do [ -s "$work/other/$f" ] || fail "$f is missing (pareto_nbd + ease)"; done
    "$report" --customers 2000 --model mbg_nbd --quiet --out "$work/mbg" || fail "mbg_nbd: exit $?"
    [ -s "$work/mbg/mbg_nbd.clm" ] || fail "mbg_nbd.clm is missing"
    # An order log with returns: 10 % of the rows are refunds (negative amounts), some
    # customers' net spend below zero. The report must run through.
    awk 'BEGIN { srand(3); print "customer_id,date,amount";
                 for (c = 1; c <= 600; c++) { n = 1 + int(rand() * 6); first = int(rand() * 300);
                   for (k = 0; k < n; k++) { d = first + int(rand() * 400); a = 5 + int(rand() * 120);
                     if (rand() < 0.1) a = -a;
                     printf "C%d,%s,%.2f\n", c, strftime("%Y-%m-%d", 1672531200 + d * 86400, 1), a } } }' \
      > "$work/refunds.csv"
    "$report" --transactions "$work/refunds.csv" --quiet --out "$work/refunds" || fail "an order log with refunds: exit $?"
    [ -s "$work/refunds/customers.csv" ] || fail "an order log with refunds: no customers.csv"
    grep -q "$work" "$work/refunds/report.html" && fail "report.html shows the input's full path"
    grep -q "Source: 'refunds.csv'" "$work/refunds/report.html" || fail "report.html does not name its input file"
    grep -q "<th>recommend</th>" "$work/refunds/report.html" && fail "a log without items still gets a recommend column"
    # A line-item export: invoices of several lines (amount = quantity x unit price), 25 guest
    # checkouts without a customer id, 15 cancellations (invoice prefix C). The rows each
    # rule touched are reported.
    awk 'BEGIN { srand(5); print "invoice,customer_id,date,qty,unit_price"; inv = 500000;
                 for (c = 1; c <= 600; c++) { n = 1 + int(rand() * 6); first = int(rand() * 300);
                   for (k = 0; k < n; k++) { d = first + int(rand() * 400); inv++; lines = 1 + int(rand() * 3);
                     for (l = 0; l < lines; l++)
                       printf "%d,K%d,%s,%d,%.2f\n", inv, c, strftime("%Y-%m-%d", 1672531200 + d * 86400, 1), 1 + int(rand() * 4), 1 + rand() * 20 } }
                 for (g = 0; g < 25; g++) printf "%d,,%s,1,5.00\n", 900000 + g, strftime("%Y-%m-%d", 1672531200 + g * 86400, 1);
                 for (x = 0; x < 15; x++) printf "C%d,K%d,%s,-1,3.00\n", 800000 + x, 1 + x, strftime("%Y-%m-%d", 1680000000 + x * 86400, 1) }' \
      > "$work/lines.csv"
    "$report" --transactions "$work/lines.csv" --price-column unit_price --quantity-column qty --order-column invoice \
      --cancelled-prefix C --currency '$' --out "$work/lines" > "$work/lines_stdout" || fail "a line-item log: exit $?"
    grep -q '<td>revenue</td><td>\$[0-9]' "$work/lines/report.html" || fail "--currency: revenue not shown in the currency"
    grep -q "25 guest rows and 15 cancelled lines dropped" "$work/lines_stdout" ||
      fail "a line-item log: the guest and cancellation counts are not reported: $(grep '^1\.' "$work/lines_stdout")"
    # Its purchase times are uniform noise: the fits degenerate, and the report says so.
    "$report" --transactions "$work/refunds.csv" --model bg_nbd --out "$work/refunds_bg" > "$work/refunds_stdout" ||
      fail "refunds, bg_nbd: exit $?"
    grep -q "^   warning: Gamma-Gamma is degenerate (p = .*): the customers' mean spends are not told apart" "$work/refunds_stdout" ||
      fail "no warning about the degenerate Gamma-Gamma fit"
    grep -q "Warning: Gamma-Gamma is degenerate" "$work/refunds_bg/report.html" || fail "report.html lacks the warning"
    ;;
  cdnow)
    [ -n "${CLM_DATA_DIR:-}" ] || { echo "skipped: CLM_DATA_DIR is not set"; exit 77; }
    d=$CLM_DATA_DIR/cdnow
    "$report" --transactions "$d/CDNOW_sample.txt" --whitespace --no-header --customer-column c1 \
      --date-column c2 --amount-column c4 --calibration-end 1997-09-30 --observation-end 1998-06-30 \
      --keep-duplicates --model bg_nbd --out "$work/sample" > "$work/stdout" || fail "CDNOW_sample: exit $?"
    cat "$work/stdout"
    # The published BG/NBD estimates (Fader, Hardie & Lee 2005): r 0.243, alpha 4.414, a 0.793, b 2.426.
    grep -q "r 0.2426  alpha 4.414  a 0.7929  b 2.426" "$work/stdout" || fail "not the published BG/NBD parameters"
    start=$(date +%s%N)
    # The README's CDNOW_master command line.
    "$report" --transactions "$d/CDNOW_master.txt" --whitespace --amount-column dollar_value \
      --calibration-end 1997-09-30 --observation-end 1998-06-30 --keep-duplicates \
      --out "$work/master" > "$work/stdout_master" || fail "CDNOW_master: exit $?"
    ms=$((($(date +%s%N) - start) / 1000000))
    cat "$work/stdout_master"
    grep -q "^4a. purchase model choice .*bg_nbd .*mbg_nbd .*pareto_nbd .* -> " "$work/stdout_master" ||
      fail "CDNOW_master: the three purchase models are not compared"
    # lifetimes' method (Nelder-Mead, benchmarks/peers/peers.py) on the same summary stops at
    # r 0.252, alpha 4.79, a 0.723, b 2.16: clm's BG/NBD maximum must agree to those digits.
    "$report" --transactions "$d/CDNOW_master.txt" --whitespace --amount-column dollar_value \
      --calibration-end 1997-09-30 --observation-end 1998-06-30 --keep-duplicates --model bg_nbd \
      --out "$work/master_bg" > "$work/stdout_master_bg" || fail "CDNOW_master, bg_nbd: exit $?"
    sed -n 's/.*  r \([0-9.]*\)  alpha \([0-9.]*\)  a \([0-9.]*\)  b \([0-9.]*\) .*/\1 \2 \3 \4/p' "$work/stdout_master_bg" |
      awk 'function near(x, y, tol) { return (x - y) * (x - y) <= tol * tol }
           { n++; ok = near($1, 0.252, 0.001) && near($2, 4.79, 0.01) && near($3, 0.723, 0.001) && near($4, 2.16, 0.01) }
           END { exit !(n == 1 && ok) }' ||
      fail "CDNOW_master: BG/NBD estimates differ from lifetimes' method"
    # One at-risk score (the churn model's or the purchase model's P(no purchase), whichever
    # ranks held-out churn better); on CDNOW_master it must reach a test AUC of 0.75.
    auc=$(sed -n 's/.*at-risk score: .* (AUC \([0-9.]*\),.*/\1/p' "$work/stdout_master")
    [ -n "$auc" ] || fail "CDNOW_master: no at-risk score stated"
    awk -v a="$auc" 'BEGIN { exit !(a >= 0.75) }' || fail "CDNOW_master: the at-risk score ranks holdout churn with AUC $auc (expected >= 0.75)"
    head -1 "$work/master/customers.csv" | grep -q ",churn_risk,p_no_purchase,at_risk_score," ||
      fail "CDNOW_master: customers.csv lacks the risk columns"
    echo "CDNOW_master: the whole report in $ms ms"
    # Logs derived from CDNOW_master that must give the clean log's summary (customer,
    # frequency, recency, T, monetary value in customers.csv), with the rows each rule
    # touched reported.
    master_args=(--calibration-end 1997-09-30 --observation-end 1998-06-30 --keep-duplicates --model bg_nbd)
    "$report" --transactions "$d/CDNOW_master.txt" --whitespace --amount-column dollar_value "${master_args[@]}" --quiet \
      --out "$work/base" || fail "CDNOW_master (baseline): exit $?"
    cut -d, -f1-5 "$work/base/customers.csv" > "$work/base.summary"
    same_summary() {  # variant name, its output directory: ids, frequency, recency, T equal,
                      # monetary value equal up to the order of summing a day's lines (1e-12)
      cut -d, -f1-5 "$2/customers.csv" | paste -d, - "$work/base.summary" |
        awk -F, '{ d = $5 - $10; if (d < 0) d = -d; m = $10 < 0 ? -$10 : $10
                   if ($1 != $6 || $2 != $7 || $3 != $8 || $4 != $9 || d > 1e-12 * (m + 1)) { print "line " NR ": " $0; bad++ } }
                 END { exit bad > 0 }' > "$work/diff" ||
        fail "$1: the summary differs from the clean log's: $(head -3 "$work/diff")"
      [ "$(wc -l < "$2/customers.csv")" = "$(($(wc -l < "$work/base.summary")))" ] || fail "$1: a different number of customers"
    }
    # 1. Returns: every 10th purchase (one per customer) bought a second time and returned in
    #    full the same day (a purchase and a refund of the same amount, listed after the day's
    #    other rows), and five refunds dated before their customer's first purchase.
    awk 'NR == 1 { print "customer_id,date,amount"; next }
         { print $1 "," $2 "," $4; if (NR % 10 == 0 && !($1 in seen)) { seen[$1]; extra[++n] = $1 "," $2 "," ($4 + 1) } }
         END { for (k = 1; k <= n; k++) { split(extra[k], f, ","); print extra[k]; print f[1] "," f[2] ",-" f[3] }
               for (k = 1; k <= 5; k++) printf "%05d,19961231,-5\n", k }' "$d/CDNOW_master.txt" > "$work/returns.csv"
    pairs=$(($(grep -c ',-' "$work/returns.csv") - 5))
    "$report" --transactions "$work/returns.csv" --amount-column amount "${master_args[@]}" --out "$work/returns" \
      > "$work/returns_stdout" || fail "CDNOW_master with returns: exit $?"
    grep -q "$((pairs + 5)) refunds netted ($pairs purchases fully returned, 5 refunds without an earlier purchase)" \
      "$work/returns_stdout" || fail "CDNOW_master with returns: counts not reported: $(grep '^1\. clean' "$work/returns_stdout")"
    grep -q "$((pairs + 5)) refunds netted against earlier purchases, $pairs purchases returned in full removed, 5 refunds without an earlier purchase dropped" \
      "$work/returns/report.html" || fail "CDNOW_master with returns: the page does not state the refund counts"
    same_summary "CDNOW_master with returns" "$work/returns"
    # 2. A line-item export: semicolons, US dates, each purchase split into two lines of
    #    quantity x unit price under one invoice id, 40 guest lines without a customer id and
    #    30 cancelled invoices (prefix C).
    awk 'NR == 1 { print "invoice;customer;day;qty;unit_price"; next }
         { us = substr($2, 5, 2) "/" substr($2, 7, 2) "/" substr($2, 1, 4); half = $4 / 2
           printf "%d;%s;%s;1;%.17g\n%d;%s;%s;1;%.17g\n", NR, $1, us, half, NR, $1, us, half
           if (NR % 1000 == 0) printf "G%d;;%s;2;4.5\n", NR, us
           if (NR % 2000 == 0) printf "C%d;%s;%s;-1;%s\n", NR, $1, us, $4 }' "$d/CDNOW_master.txt" > "$work/lines.csv"
    guests=$(grep -c '^G' "$work/lines.csv"); cancelled=$(grep -c '^C' "$work/lines.csv")
    "$report" --transactions "$work/lines.csv" --delimiter ';' --date-format '%m/%d/%Y' --customer-column customer \
      --date-column day --price-column unit_price --quantity-column qty --order-column invoice --cancelled-prefix C \
      "${master_args[@]}" --out "$work/lines" > "$work/lines_stdout" || fail "CDNOW_master as line items: exit $?"
    grep -q "$guests guest rows and $cancelled cancelled lines dropped" "$work/lines_stdout" ||
      fail "CDNOW_master as line items: counts not reported: $(grep '^0\. read' "$work/lines_stdout")"
    same_summary "CDNOW_master as line items" "$work/lines"
    echo "CDNOW_master variants: $pairs returned purchases, $guests guest lines, $cancelled cancellations: the clean log's summary"
    [ "$timing" = untimed ] || [ "$ms" -lt 2000 ] || fail "CDNOW_master took $ms ms (goal: under 2 s)"
    ;;
  sqlite)
    scorer="$(dirname "$report")/score_database"
    [ -x "$scorer" ] || fail "score_database is not built beside $report"
    "$scorer" "$work/shop.db" > "$work/score_stdout" || fail "score_database: exit $?"
    cat "$work/score_stdout"
    grep -q "^no orders table: wrote a simulated shop's [0-9]* orders into it" "$work/score_stdout" ||
      fail "score_database did not say it simulated the shop"
    n=$(sed -n 's/^score_database ok: \([0-9]*\) customers scored into customer_scores .*(.* \([0-9]*\) rows, .*/\1 \2/p' "$work/score_stdout")
    read -r scored rows <<< "$n"
    [ -n "$scored" ] && [ "$scored" = "$rows" ] || fail "score_database: '$n' (customers scored, rows in the table)"
    # A second run upserts the same customers: still one row each.
    "$scorer" "$work/shop.db" > "$work/score_stdout2" || fail "score_database, second run: exit $?"
    grep -q "($scored rows\|, $scored rows" "$work/score_stdout2" || grep -q " $scored rows," "$work/score_stdout2" ||
      fail "score_database, second run: $(cat "$work/score_stdout2")"
    "$report" --sqlite "$work/shop.db" --query "select customer_id, date, amount from orders where amount > ?1 - 1" \
      --write-scores "report scores" --out "$work/out" > "$work/stdout" 2> "$work/stderr" && fail "a query with a parameter and none given ran"
    grep -q "takes 1 parameters, got 0" "$work/stderr" || fail "no message about the missing parameter: $(cat "$work/stderr")"
    "$report" --sqlite "$work/shop.db" --query "select customer_id, date, amount from orders" \
      --write-scores "report scores" --out "$work/out" > "$work/stdout" || fail "--sqlite --query: exit $?"
    cat "$work/stdout"
    grep -q "^12. write scores .* wrote [0-9]* customers into report scores" "$work/stdout" || fail "no scores written"
    customers=$(($(wc -l < "$work/out/customers.csv") - 1))
    grep -q "wrote $customers customers into report scores" "$work/stdout" ||
      fail "customers.csv has $customers customers, the scores table a different count"
    grep -q "Source: the query on 'shop.db'" "$work/out/report.html" || fail "report.html does not name its source"
    check() {  # name, expected text in the message, then the report's arguments
      local name=$1 expect=$2; shift 2
      "$report" --quiet --out "$work/bad" "$@" > "$work/o" 2> "$work/e"
      local rc=$?
      [ "$rc" = 1 ] && [ "$(wc -l < "$work/e")" = 1 ] && grep -q -- "^lifecycle_report: .*$expect" "$work/e" ||
        fail "$name: exit $rc, '$(cat "$work/e")' (expected '$expect')"
      echo "$name: $(cat "$work/e")"
    }
    check "no such table" "sqlite: no such table: nope" --sqlite "$work/shop.db" --query "select * from nope"
    check "query without a database" "--query goes with --sqlite or --postgres" --query "select 1"
    check "missing column" "no column 'customer_id'" --sqlite "$work/shop.db" --query "select date, amount from orders"
    ;;
  postgres)
    [ -n "${CLM_TEST_POSTGRES:-}" ] || { echo "skipped: CLM_TEST_POSTGRES is not set (scripts/dev test starts a server)"; exit 77; }
    psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)
    [ -n "$psql" ] || fail "no psql to load the orders"
    awk 'BEGIN { srand(7); for (c = 1; c <= 800; c++) { n = 1 + int(rand() * 6); first = int(rand() * 300);
                   for (k = 0; k < n; k++) { d = first + int(rand() * 400);
                     printf "P%d,%s,%.2f\n", c, strftime("%Y-%m-%d", 1672531200 + d * 86400, 1), 5 + rand() * 100 } } }' \
      > "$work/orders.csv"
    "$psql" -q -v ON_ERROR_STOP=1 "$CLM_TEST_POSTGRES" \
      -c "drop table if exists report_orders, report_scores" \
      -c "create table report_orders (customer_id text, ordered_on date, total numeric(10, 2))" \
      -c "\\copy report_orders from '$work/orders.csv' with (format csv)" > /dev/null 2>&1 || fail "psql could not load the orders"
    "$report" --postgres "$CLM_TEST_POSTGRES" --query "select customer_id, ordered_on, total from report_orders" \
      --date-column ordered_on --amount-column total --write-scores report_scores --out "$work/out" > "$work/stdout" ||
      fail "--postgres --query: exit $?"
    cat "$work/stdout"
    customers=$(($(wc -l < "$work/out/customers.csv") - 1))
    grep -q "wrote $customers customers into report_scores" "$work/stdout" || fail "no scores written"
    stored=$("$psql" -tA "$CLM_TEST_POSTGRES" -c "select count(*) from report_scores")
    [ "$stored" = "$customers" ] || fail "report_scores holds $stored rows, customers.csv $customers"
    # A wrong password: one line, exit 1, the password nowhere.
    wrong=$(echo "$CLM_TEST_POSTGRES" | sed 's/password=[^ ]*/password=Wr0ng-S3cret/')
    "$report" --quiet --postgres "$wrong" --query "select 1" --out "$work/bad" > /dev/null 2> "$work/e" && fail "a wrong password connected"
    [ "$(wc -l < "$work/e")" = 1 ] && grep -q "password authentication failed" "$work/e" || fail "wrong password: '$(cat "$work/e")'"
    grep -q "Wr0ng-S3cret" "$work/e" && fail "the password appears in the message"
    echo "wrong password: $(cat "$work/e")"
    "$psql" -q "$CLM_TEST_POSTGRES" -c "drop table report_orders, report_scores" > /dev/null 2>&1
    ;;
  bad-input)
    check() {  # name, expected text in the message, then the report's arguments
      local name=$1 expect=$2; shift 2
      "$report" --quiet --out "$work/bad" "$@" > "$work/o" 2> "$work/e"
      local rc=$?
      [ "$rc" = 1 ] || fail "$name: exit code $rc (expected 1)"
      [ "$(wc -l < "$work/e")" = 1 ] || fail "$name: expected one line on stderr, got: $(cat "$work/e")"
      grep -q "^lifecycle_report: .*$expect" "$work/e" || fail "$name: message '$(cat "$work/e")' lacks '$expect'"
      echo "$name: $(cat "$work/e")"
    }
    printf 'customer_id,date,amount\n' > "$work/empty.csv"
    printf 'customer_id,day,amount\nA,2024-01-01,5\n' > "$work/nodate.csv"
    printf 'customer_id,date,amount\nA,yesterday,5\nB,last week,6\n' > "$work/baddates.csv"
    { echo "customer_id,date,amount"; for i in $(seq 1 50); do echo "C$i,2024-01-$(printf %02d $((i % 28 + 1))),10"; done; } > "$work/once.csv"
    : > "$work/zero.csv"
    check "missing file" "no-such-file" --transactions "$work/no-such-file.csv"
    check "empty file" "" --transactions "$work/zero.csv"
    check "header only" "no purchases" --transactions "$work/empty.csv"
    printf 'customer_id;date;amount\nA;2024-01-01;5\n' > "$work/semicolon.csv"
    check "missing column" "no column 'date' .*(columns: customer_id, day, amount)" --transactions "$work/nodate.csv"
    check "wrong delimiter" "one column read: is the delimiter ',' right" --transactions "$work/semicolon.csv"
    check "unparseable dates" "no purchases (2 rows skipped; the first at line 2: expected a date in column 'date'" --transactions "$work/baddates.csv"
    check "bad delimiter option" "--delimiter takes one character" --transactions "$work/semicolon.csv" --delimiter ';;'
    # The same semicolon file with --delimiter ';' reads (and stops later: one customer).
    check "semicolon file read" "customers before the calibration end" --transactions "$work/semicolon.csv" --delimiter ';'
    check "one purchase each" "single purchase" --transactions "$work/once.csv" --calibration-end 2024-01-31 --observation-end 2024-03-01
    check "unknown option" "unknown option" --frobnicate
    check "unknown model" "--model must be auto, bg_nbd, mbg_nbd or pareto_nbd, got 'frob'" --model frob
    ;;
  render)
    browser=$(command -v chromium || command -v chromium-browser || true)
    # scripts/dev test installs Debian's chromium with the other test packages.
    [ -n "$browser" ] || { echo "skipped: no chromium (Debian: apt-get install chromium)"; exit 77; }
    "$report" --customers 2000 --quiet --out "$work/out" || fail "the report exited with $?"
    # A copy of the page with a probe that writes each chart's drawn size into the DOM.
    sed 's|</body>|<pre id="probe"></pre><script>const r=[];for(const s of document.querySelectorAll("svg.chart")){const b=s.getBoundingClientRect();r.push(s.id+" "+Math.round(b.width)+"x"+Math.round(b.height)+" "+s.querySelectorAll("rect,polyline").length)}document.getElementById("probe").textContent=r.join("\\n");</script></body>|' \
      "$work/out/report.html" > "$work/probe.html"
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
      --user-data-dir="$work/profile" --dump-dom "file://$work/probe.html" > "$work/dom.html" 2> "$work/console.log"
    grep "CONSOLE" "$work/console.log" && fail "the page logged console messages"
    for c in $charts; do
      line=$(grep -o "^$c [0-9]*x[0-9]* [0-9]*" "$work/dom.html" || sed -n "s/.*\($c [0-9]*x[0-9]* [0-9]*\).*/\1/p" "$work/dom.html" | head -1)
      [ -n "$line" ] || fail "chart $c was not drawn"
      read -r _ size marks <<< "$line"
      [ "${size%x*}" -gt 0 ] && [ "${size#*x}" -gt 0 ] && [ "$marks" -gt 0 ] || fail "chart $c: size $size, $marks marks"
      echo "chart $c: $size, $marks marks"
    done
    if [ -n "${CLM_REPORT_SCREENSHOT:-}" ]; then
      "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" --window-size=1240,1500 \
        --screenshot="$CLM_REPORT_SCREENSHOT" "file://$work/out/report.html" > /dev/null 2>&1
    fi
    ;;
  *) fail "unknown mode $mode" ;;
esac
echo "ok"
