"""The index layer: text pipeline, query parser, index documents, backends and index maintenance.

It reads cases and regions and never imports the search reads or the web layer above it.
"""
