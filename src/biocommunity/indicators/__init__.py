"""Strength in numbers: indicators, observations for regions and communities, KPIs."""
