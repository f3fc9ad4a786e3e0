// Entry of the inference/training worker thread. The typed protocol lands with the host.
export {};
