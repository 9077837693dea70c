"""What leaves the dashboard on its own: the monthly investor update (a PDF), the email digest,
and the alerts they carry. Each reads its figures through the metric layer's functions, as the
pages do, so a report shows what the same viewer's pages show, withheld where they withhold."""
