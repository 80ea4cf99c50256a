// EdgeTLS module
