"""Edit a workbook in LibreOffice and save it as xlsx, as an office using LibreOffice would.

Run by Debian's /usr/bin/python3 (python3-uno comes with LibreOffice), against a soffice started with
--accept on 127.0.0.1: python3 edit.py FILE PORT ACTIONS, where ACTIONS is a JSON list of
["rename", OLD, NEW], ["set", SHEET, "H7", TEXT] (text put into the cell as it is), ["type", SHEET, "B20", TEXT]
(as a person types it: Calc reads "2026-12-15" as a date, a long number as a number), ["delete-row", SHEET, N]
(the sheet unprotected first, as a unit does, then row N, 1-based, deleted) and ["save-as", PATH] (.ods: what
Calc saves by default; .xlsx otherwise).
"""

import json
import re
import sys
import time

import uno  # type: ignore[import-not-found]  # LibreOffice's, not in the project's venv
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(port):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):  # soffice takes a while to listen
        try:
            return resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except Exception:  # noqa: BLE001  # NoConnectException until it listens
            time.sleep(0.2)
    raise SystemExit("LibreOffice did not start")


def date_format(doc, code):
    formats = doc.getNumberFormats()
    locale = uno.createUnoStruct("com.sun.star.lang.Locale")
    key = formats.queryKey(code, locale, False)
    return key if key != -1 else formats.addNew(code, locale)


def main() -> None:
    path, port, actions = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    ctx = connect(port)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    url = uno.systemPathToFileUrl(path)
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    for action in actions:
        if action[0] == "rename":
            doc.Sheets.getByName(action[1]).Name = action[2]
        elif action[0] == "set":  # as a person types into an unlocked cell of the protected sheet
            doc.Sheets.getByName(action[1]).getCellRangeByName(action[2]).setString(action[3])
        elif action[0] == "type":  # typed into a General cell, read as the input line reads it: dates and numbers
            cell = doc.Sheets.getByName(action[1]).getCellRangeByName(action[2])
            cell.NumberFormat = 0  # General: an older form's cell, or one the unit formatted (WPS, Excel alike)
            cell.setFormula(action[3])
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", action[3]):  # Calc's input line gives a typed date its format
                cell.NumberFormat = date_format(doc, "YYYY-MM-DD")
        elif action[0] == "delete-row":
            sheet = doc.Sheets.getByName(action[1])
            sheet.unprotect("")
            sheet.getRows().removeByIndex(int(action[2]) - 1, 1)
        elif action[0] == "save-as":
            ods = action[1].endswith(".ods")
            doc.storeToURL(uno.systemPathToFileUrl(action[1]),
                           (prop("FilterName", "calc8" if ods else "Calc MS Excel 2007 XML"),))
            doc.close(True)
            return
    doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)


main()
