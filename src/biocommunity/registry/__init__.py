"""The registry of a biocommunity: communities, hubs, organisations and their links."""
