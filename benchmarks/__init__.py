"""Benchmarks of ``tconv.conv_transpose`` against PyTorch, onnxruntime and JAX.

Run ``python -m benchmarks --help`` from the repository root; see README.md here.
"""
