"""Edit a workbook in LibreOffice and save it as xlsx, as an office using LibreOffice would.

Run by Debian's /usr/bin/python3 (python3-uno comes with LibreOffice), against a soffice started with
--accept on 127.0.0.1: python3 edit.py FILE PORT ACTIONS, where ACTIONS is a JSON list of
["rename", OLD, NEW] and ["set", SHEET, "H7", TEXT].
"""

import json
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
    doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)


main()
