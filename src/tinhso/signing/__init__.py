"""Signed results (ký số kết quả): signing keys, PAdES signing, verification of signed PDFs."""
