"""Every path of the output folder, and so every href of the site, in one place.

Paths are built from folder ids and domain ids only, never from catalog text (a locality's name
adds a workbook file name only when it is valid as one). Pages link with these paths relative to
the site's root (`page.root`), so the site works from any sub-path and from file://.
"""

from __future__ import annotations

from gkcat.model.files import DomainDef
from gkcat.model.project import Locality
from gkcat.model.vocabulary import file_name
from gkcat.model.workplan import workplan_name

INDEX, SEARCH, ASSETS, DOMAINS_DIR = "index.html", "search.html", "assets", "domains"
RESERVED = (ASSETS, DOMAINS_DIR, "index", "search")  # top-level names the site uses; a root folder may not


def locality_href(loc: Locality) -> str:
    return f"{loc.path}/{INDEX}"


def table_href(loc: Locality, domain: DomainDef) -> str:
    return table_page(loc, domain.id)


def table_page(loc: Locality, domain_id: str) -> str:
    return f"{loc.path}/{domain_id}.html"


def domain_href(domain: DomainDef) -> str:
    return f"{DOMAINS_DIR}/{domain.id}.html"


def data_href(loc: Locality) -> str:
    return f"{loc.path}/catalog.json"


PROJECT_WORKBOOK = "总表.xlsx"
SEARCH_INDEX = f"{ASSETS}/search-index.js"


HISTORY_PAGE, FEED = "更新记录.html", "feed.xml"


def history_href(loc: Locality) -> str:
    return f"{loc.path}/{HISTORY_PAGE}"


def feed_href(loc: Locality) -> str:
    return f"{loc.path}/{FEED}"


def workbook_paths(loc: Locality) -> tuple[str, ...]:
    """Output paths of a locality's workbook: the Chinese name, and a stable ASCII one for links.

    Paths come from the folder id; the name only adds a file name when it is safe as one
    (validation refuses the others with GK209, this keeps a build safe even without it).
    """
    ascii_name = f"{loc.path}/{loc.path.rsplit('/', 1)[-1]}.xlsx"
    chinese = file_name(loc.name)
    return (f"{loc.path}/{chinese}政务公开标准目录.xlsx", ascii_name) if chinese else (ascii_name,)


FORM_SUFFIX = "-填报表.xlsx"


def form_name(loc: Locality, role: str = "") -> str:
    """A locality's fill-in workbook: `<folder>-填报表.xlsx` (gkcat form writes it under that name too);
    a department's part of it `<folder>-<role>-填报表.xlsx`."""
    return loc.path.rsplit("/", 1)[-1] + (f"-{role}" if role else "") + FORM_SUFFIX


def form_path(loc: Locality) -> str:
    return f"{loc.path}/{form_name(loc)}"


DEPARTMENTS_PAGE, DUTIES_WORKBOOK, POSTER_PAGE = "departments.html", "责任清单.xlsx", "poster.html"
LOCALITY_PAGES = ("index", "departments", "poster")  # a locality's own pages: no domain may take their names


def departments_href(loc: Locality) -> str:
    """A locality's duty lists (责任清单) by department."""
    return f"{loc.path}/{DEPARTMENTS_PAGE}"


def duties_workbook_path(loc: Locality) -> str:
    return f"{loc.path}/{DUTIES_WORKBOOK}"


def poster_href(loc: Locality) -> str:
    """The A4 poster for the locality's offline disclosure points."""
    return f"{loc.path}/{POSTER_PAGE}"


def public_url(site_url: str, loc: Locality) -> str:
    """The address of a locality's page on the published site (gkcat.yaml `site_url`): its folder."""
    return f"{site_url.rstrip('/')}/{loc.path}/"


def workplan_href(loc: Locality, year: int) -> str:
    """A locality's 任务分解表 and 台账 for one year."""
    return f"{loc.path}/{workplan_name(year)}.html"


def workplan_workbook_path(loc: Locality, year: int) -> str:
    return f"{loc.path}/{workplan_name(year)}.xlsx"
