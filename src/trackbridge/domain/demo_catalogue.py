"""The fixed ingredients of the demo shop (a plant shop): catalogue, names, traffic sources, devices, places. Pure data.

``trackbridge demo`` (services/demo.py) draws from these with a seeded random generator (domain/demo_data.py).
"""

from __future__ import annotations

from decimal import Decimal

SHOP = "https://shop.example.com"

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("indoor", "Indoor plants"),
    ("outdoor", "Outdoor plants"),
    ("pots", "Pots & planters"),
    ("tools", "Tools"),
    ("seeds", "Seeds & bulbs"),
    ("gifts", "Gifts"),
)

PRODUCTS: tuple[tuple[str, str, str], ...] = (
    # (category, name, price)
    ("indoor", "Monstera deliciosa", "34.90"),
    ("indoor", "Fiddle leaf fig", "49.00"),
    ("indoor", "Snake plant", "19.90"),
    ("indoor", "Pothos golden", "14.50"),
    ("indoor", "ZZ plant", "24.00"),
    ("indoor", "Calathea orbifolia", "29.90"),
    ("indoor", "Peace lily", "17.90"),
    ("indoor", "Rubber plant", "27.50"),
    ("outdoor", "Lavender hidcote", "9.90"),
    ("outdoor", "Olive tree", "89.00"),
    ("outdoor", "Japanese maple", "119.00"),
    ("outdoor", "Rosemary", "7.50"),
    ("outdoor", "Hydrangea", "32.00"),
    ("outdoor", "Boxwood ball", "44.00"),
    ("outdoor", "Climbing rose", "21.90"),
    ("pots", "Terracotta pot 20 cm", "12.00"),
    ("pots", "Glazed pot blue", "29.00"),
    ("pots", "Hanging planter", "18.50"),
    ("pots", "Self-watering pot", "24.90"),
    ("pots", "Concrete planter large", "64.00"),
    ("pots", "Plant stand oak", "54.00"),
    ("tools", "Pruning shears", "22.90"),
    ("tools", "Watering can 2 l", "16.90"),
    ("tools", "Plant mister", "9.50"),
    ("tools", "Potting soil 10 l", "8.90"),
    ("tools", "Organic fertiliser", "11.90"),
    ("tools", "Moisture meter", "13.50"),
    ("tools", "Garden gloves", "12.50"),
    ("seeds", "Tomato seeds heirloom", "3.90"),
    ("seeds", "Basil seeds", "2.90"),
    ("seeds", "Wildflower mix", "5.90"),
    ("seeds", "Tulip bulbs (20)", "14.90"),
    ("seeds", "Sunflower seeds", "3.50"),
    ("seeds", "Herb garden kit", "19.90"),
    ("gifts", "Gift card 25", "25.00"),
    ("gifts", "Gift card 50", "50.00"),
    ("gifts", "Terrarium kit", "39.00"),
    ("gifts", "Bonsai starter set", "45.00"),
    ("gifts", "Plant care book", "18.00"),
    ("gifts", "Succulent trio", "21.00"),
)

FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Elias", "Sofia", "Leon", "Hannah", "Mateo", "Chloe",
    "Finn", "Clara", "Oscar", "Lena", "Hugo", "Alice", "Jonas", "Maya", "Arthur", "Nora", "Felix", "Ines", "Theo",
    "Julia", "Paul", "Zoe", "Samuel", "Ella", "David", "Lea", "Adam", "Amelia", "Louis", "Isla", "Marco", "Eva", "Ben",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Müller", "Martin", "García", "Rossi", "Jansen", "Johansson", "Brown", "Schmidt", "Bernard", "López",
    "Bianchi", "de Vries", "Nilsson", "Wilson", "Fischer", "Dubois", "Fernández", "Romano", "Bakker", "Larsen",
    "Taylor", "Weber", "Moreau", "Sánchez", "Ricci", "Visser", "Andersson", "Clarke", "Wagner", "Laurent", "Pérez",
)  # fmt: skip
MAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "post.example")
CUSTOMER_TAGS = ("vip", "newsletter", "wholesale", "plant-parent", "gift-buyer", "garden-club")

# (weight, utm_id, source, medium, campaign, terms, contents)
CAMPAIGNS: tuple[tuple[int, str, str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (8, "g-101", "google", "cpc", "spring-sale", ("buy monstera", "indoor plants delivery", "plant shop"), ("ad-a",)),
    (5, "g-102", "google", "cpc", "brand", ("shop example plants", "example plant shop"), ("ad-brand",)),
    (5, "fb-201", "facebook", "paid_social", "summer-garden", ("",), ("carousel", "video")),
    (3, "ig-202", "instagram", "paid_social", "summer-garden", ("",), ("story", "reel")),
    (6, "nl-301", "newsletter", "email", "weekly-tips", ("",), ("header", "footer", "product-grid")),
    (3, "nl-302", "newsletter", "email", "black-friday", ("",), ("hero",)),
    (2, "af-401", "plantblog", "affiliate", "partner-2026", ("",), ("sidebar",)),
    (2, "bg-501", "bing", "cpc", "spring-sale", ("house plants", "terracotta pots"), ("ad-b",)),
)

SEARCH_ENGINES = (
    "https://www.google.com/search?q={q}",
    "https://www.google.co.uk/search?q={q}",
    "https://www.bing.com/search?q={q}",
    "https://duckduckgo.com/?q={q}",
    "https://search.yahoo.com/search?p={q}",
)
SEARCH_TERMS = ("indoor plants", "monstera care", "buy olive tree", "terracotta pots", "plant shop online")
SOCIAL_REFERRERS = (
    "https://www.facebook.com/",
    "https://l.instagram.com/",
    "https://t.co/x1y2z3",
    "https://www.reddit.com/r/houseplants/",
    "https://www.pinterest.com/pin/12345/",
    "https://www.youtube.com/watch?v=abc123",
)
REFERRAL_SITES = (
    "https://www.gardeningblog.example/best-indoor-plants",
    "https://plantforum.example/t/where-to-buy",
    "https://news.example.org/green-living",
    "https://www.wikipedia.org/wiki/Monstera_deliciosa",
)

# (weight, user agent)
_WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
_SAFARI = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
USER_AGENTS: tuple[tuple[int, str], ...] = (
    (22, f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/131.0.0.0 Safari/537.36"),
    (6, f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
    (4, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    (12, f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_SAFARI} Version/18.1 Safari/605.1.15"),
    (3, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    (24, f"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) {_SAFARI} Version/18.1 Mobile/15E148 Safari/604.1"),
    (20, f"Mozilla/5.0 (Linux; Android 14; Pixel 8) {_WEBKIT} Chrome/131.0.0.0 Mobile Safari/537.36"),
    (
        5,
        f"Mozilla/5.0 (Linux; Android 13; SM-S911B) {_WEBKIT} SamsungBrowser/26.0 Chrome/122.0.0.0 "
        "Mobile Safari/537.36",
    ),
    (4, f"Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) {_SAFARI} Version/17.6 Mobile/15E148 Safari/604.1"),
)

# (weight, country code, address prefixes of large consumer networks of that country): the last octet(s) vary.
PLACES: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (30, "US", ("73.162.", "98.207.", "24.5.")),
    (14, "GB", ("81.2.69.", "86.128.", "86.150.")),
    (12, "DE", ("84.128.", "91.64.", "79.192.")),
    (9, "FR", ("90.0.", "82.64.", "86.192.")),
    (6, "NL", ("84.104.", "77.160.")),
    (5, "ES", ("83.32.", "88.0.")),
    (4, "IT", ("79.0.", "93.32.")),
    (5, "CA", ("174.112.", "70.48.")),
    (4, "AU", ("1.144.", "101.160.")),
    (3, "SE", ("78.64.", "90.224.")),
    (2, "JP", ("126.0.", "126.100.")),
    (2, "BR", ("177.100.", "189.40.")),
)

SHIPPING = Decimal("4.95")
FREE_SHIPPING_FROM = Decimal("60.00")
COST_SHARE = Decimal("0.45")
