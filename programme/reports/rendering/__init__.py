"""Building a report's content and drawing it: the sections, money, tables and charts, as PDF, web page and Excel."""
