"""Reference readers for the import benchmark, run beside servicemap on the same files.

  python3 Benchmarks/anchors/read_anchors.py calamine FILE.xlsx
  python3 Benchmarks/anchors/read_anchors.py openpyxl FILE.xlsx
  python3 Benchmarks/anchors/read_anchors.py csv FILE.csv

Each reads every cell and prints the count, so the work cannot be skipped.
"""
import csv
import sys


def main():
    reader, path = sys.argv[1], sys.argv[2]
    cells = 0
    if reader == "calamine":
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(path)
        for name in workbook.sheet_names:
            for row in workbook.get_sheet_by_name(name).to_python():
                cells += len(row)
    elif reader == "openpyxl":
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
    elif reader == "csv":
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                cells += len(row)
    else:
        raise SystemExit(f"unknown reader {reader}")
    print(f"{reader}: {cells} cells")


if __name__ == "__main__":
    main()
