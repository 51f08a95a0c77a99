"""What every domain shares: database base, formatting, permissions, audit, forms."""
