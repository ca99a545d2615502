"""biocommunity: the platform a life-science innovation cluster runs on."""

__version__ = "0.1.0"
