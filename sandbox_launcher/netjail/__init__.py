"""Network jail: per-session network namespace, pasta, nftables and a filtering resolver."""
