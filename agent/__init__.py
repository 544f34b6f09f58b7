"""zyntro-enrich: public pages in, grounded Zyntro profiles out."""

__version__ = "0.1.0"
