"""网上检查: every locality assessed from what the repository holds (gkcat assess)."""
