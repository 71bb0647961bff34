#!/usr/bin/env python3
"""Side by side, the figures of several runs of bench/run.sh (their `key value` files), as a
Markdown table: how each cost grows with the data.

    python3 bench/compare.py bench/results/bookings-100000.txt bench/results/bookings-1000000.txt
"""
import pathlib
import sys

# The figures worth comparing between sizes, in this order, with their labels.
ROWS = [
    ("webhook_throughput", "deliveries/s, 32 in flight"),
    ("webhook_p50_ms", "delivery p50, ms"),
    ("webhook_p99_ms", "delivery p99, ms"),
    ("server_cpu_us_per_delivery", "server CPU per delivery, µs"),
    ("db_cpu_us_per_delivery", "PostgreSQL CPU per delivery, µs"),
    ("bookings_hot_ratio_pct", "HOT updates of bookings, %"),
    ("ceiling_throughput", "database ceiling, tx/s"),
    ("webhook_c128_throughput", "deliveries/s, 128 in flight"),
    ("page_html_all_p50_ms", "list page, no filter, ms"),
    ("page_html_payment_p50_ms", "list page, payment status, ms"),
    ("page_html_attendance_p50_ms", "list page, attendance status, ms"),
    ("page_html_session_p50_ms", "list page, one session, ms"),
    ("page_html_dates_p50_ms", "list page, date range, ms"),
    ("page_html_search_p50_ms", "list page, search one family, ms"),
    ("page_html_search_common_p50_ms", "list page, search a common term, ms"),
    ("page_html_sort_parent_p50_ms", "list page, sorted by parent, ms"),
    ("page_html_deep_page_p50_ms", "list page, page 2,000, ms"),
    ("page_html_combined_p50_ms", "list page, unpaid + pending by date, ms"),
    ("page_html_sessions_p50_ms", "admin's sessions page, ms"),
    ("page_html_book_p50_ms", "parent's booking form, ms"),
    ("csv_rows", "CSV rows"),
    ("csv_seconds", "CSV, s"),
    ("csv_rss_before_mb", "server RSS before the CSV, MB"),
    ("csv_rss_peak_mb", "server RSS peak during the CSV, MB"),
    ("server_peak_rss_mb", "server peak RSS over the deliveries, MB"),
]


def read(path):
    figures = {}
    for line in pathlib.Path(path).read_text().splitlines():
        key, _, value = line.partition(" ")
        figures[key] = value
    return figures


def label_of(path):
    """`bookings-100000.txt` reads "100,000 bookings"; another name, as it is."""
    stem = pathlib.Path(path).stem
    size = stem.removeprefix("bookings-")
    return f"{int(size):,} bookings" if size.isdigit() else stem


def main(paths):
    runs = [(label_of(p), read(p)) for p in paths]
    header = "| | " + " | ".join(f"{db}, {name}" for db in ("SQLite", "PostgreSQL") for name, _ in runs) + " |"
    print(header)
    print("|---" * (1 + 2 * len(runs)) + "|")
    for key, label in ROWS:
        cells = [figures.get(f"{db}_{key}", "") for db in ("sqlite", "postgres") for _, figures in runs]
        if any(cells):
            print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
