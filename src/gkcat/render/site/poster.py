"""The A4 poster for a locality's offline disclosure points (公开查阅点, 便民服务站, 村公示栏): where
its catalog is online, as an address and a QR code drawn at build time (no request anywhere)."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from markupsafe import Markup

from gkcat.model.project import Locality
from gkcat.model.vocabulary import LEVEL_ZH
from gkcat.render.site.urls import public_url


@dataclass(frozen=True)
class PosterLine:
    domain: str
    published: int


@dataclass(frozen=True)
class PosterView:
    name: str
    level: str
    url: str
    qr: Markup  # an inline SVG drawn by segno from the URL alone: no catalog text goes into it
    domains: tuple[PosterLine, ...]

    @property
    def total(self) -> int:
        return sum(d.published for d in self.domains)


def qr_svg(url: str) -> Markup:
    """A QR code of `url` as inline SVG that scales with CSS (a viewBox, no fixed size)."""
    # error level M keeps a printed code readable when part of it is worn; segno raises it when the size allows
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None,
                                  title="本地区政务公开标准目录网址的二维码"))


def poster_view(loc: Locality, published: list[tuple[str, int]], site_url: str) -> PosterView:
    """The poster, from what the locality publishes in each domain it has: (domain name, items)."""
    url = public_url(site_url, loc)
    lines = tuple(PosterLine(name, n) for name, n in published)
    return PosterView(loc.name, LEVEL_ZH[loc.level], url, qr_svg(url), lines)
