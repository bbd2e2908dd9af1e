"""`aicc bench`: latency, throughput, API calls and AWS cost per turn of the embedded stack, measured."""
