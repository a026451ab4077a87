"""Where and when harm happens: hot spots (Gi*), concentration, time grids, maps and the Places
page's charts."""
