"""`gkcat check-links`: request every http(s) link of the resolved catalogs. The only part of gkcat
that uses the network; never run by `validate` or `build`."""
