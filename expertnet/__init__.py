"""expertnet: the warehouse, metrics, access rules and CLI behind the dashboard."""
