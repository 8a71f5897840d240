"""What a press needs around the book: the full-wrap cover sized from the printed page count
(``spine``, ``barcode``, ``cover``), the printers' rules as a preflight, and the metadata feeds."""
