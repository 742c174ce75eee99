"""Rename a sheet in LibreOffice and save the workbook as xlsx, as an office using LibreOffice would.

Run by Debian's /usr/bin/python3 (python3-uno comes with LibreOffice), against a soffice started with
--accept on 127.0.0.1: python3 rename_sheet.py FILE OLD NEW PORT.
"""

import sys
import time

import uno  # type: ignore[import-not-found]  # LibreOffice's, not in the project's venv
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main() -> None:
    path, old, new, port = sys.argv[1:5]
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):  # soffice takes a while to listen
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            break
        except Exception:  # noqa: BLE001  # NoConnectException until it listens
            time.sleep(0.2)
    else:
        raise SystemExit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    url = uno.systemPathToFileUrl(path)
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    doc.Sheets.getByName(old).Name = new
    doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)


main()
