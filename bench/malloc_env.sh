# Sourced by the side-by-side scripts: FORCE runs a command under the glibc malloc settings that
# engine.NativeAllocator sets inside imgclass (mmap and trim thresholds, top pad; see
# docs/ARCHITECTURE.md "Native allocator"), so the PyTorch peer runs under the same ones. Each
# peer result prints the settings it ran with (bench/peer_pytorch.py allocator_env).
FORCE=(env MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=67108864)
