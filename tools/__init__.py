"""Tools around the product: the demonstration, the benchmarks and the local stack they start."""
