"""The public Python API's parts; import them from ``bpviewer`` (``import bpviewer as
bpv``), never from here."""
