"""What the synthetic retailer sells: departments, categories and which categories go together.

A Sydney lifestyle retailer: outerwear and winter accessories, apparel, footwear, home and coffee
gear, pantry, pets, beauty, outdoor and garden, small electronics. The population file weights the
departments and sets their margins; the shape of the range itself lives here, as data.
Seasons are the southern hemisphere's (December to February is summer).
"""

from dataclasses import dataclass

SEASONS = ("all", "spring", "summer", "autumn", "winter")


@dataclass(frozen=True)
class CategorySpec:
    name: str
    season: str
    price_low: float
    price_high: float
    product_types: tuple[str, ...]
    cycle_days: float | None = None  # replenishment cycle of a consumable; None for durables


@dataclass(frozen=True)
class DepartmentSpec:
    key: str
    name: str
    code: str
    brands: tuple[str, ...]
    descriptors: tuple[str, ...]
    categories: tuple[CategorySpec, ...]


def _c(
    name: str, season: str, low: float, high: float, *types: str, cycle: float | None = None
) -> CategorySpec:
    return CategorySpec(name, season, low, high, types, cycle)


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "outerwear",
        "Outerwear",
        "OUT",
        ("Southerly", "Alpine Ridge", "Tasman Peak", "Harbour & Co."),
        ("Merino", "Storm", "Ultralight", "Heritage", "Coastal", "Summit"),
        (
            _c("Winter jackets", "winter", 129, 449, "Puffer Jacket", "Parka", "Down Jacket", "Wool Coat"),
            _c("Rain shells", "autumn", 89, 299, "Rain Jacket", "Shell Jacket", "Trench"),
            _c("Puffer vests", "winter", 69, 219, "Puffer Vest", "Down Vest"),
            _c("Fleece", "autumn", 49, 149, "Fleece Pullover", "Fleece Jacket", "Quarter Zip"),
            _c("Thermal layers", "winter", 29, 89, "Thermal Top", "Thermal Leggings", "Base Layer"),
        ),
    ),
    DepartmentSpec(
        "apparel",
        "Apparel",
        "APP",
        ("Harbour & Co.", "Bondi Thread", "Laneway", "Kin & Cloth"),
        ("Organic", "Relaxed", "Classic", "Linen", "Everyday", "Tailored"),
        (
            _c("Knitwear", "winter", 59, 219, "Crew Knit", "Cardigan", "Turtleneck"),
            _c("T-shirts and tops", "all", 19, 69, "Tee", "Tank", "Long Sleeve Top"),
            _c("Jeans and trousers", "all", 59, 179, "Straight Jean", "Chino", "Wide Leg Pant"),
            _c("Dresses", "summer", 59, 239, "Midi Dress", "Wrap Dress", "Slip Dress"),
            _c("Swimwear", "summer", 39, 139, "One Piece", "Bikini Set", "Board Short"),
            _c("Activewear", "all", 35, 129, "Legging", "Running Short", "Training Tee"),
        ),
    ),
    DepartmentSpec(
        "accessories",
        "Accessories",
        "ACC",
        ("Harbour & Co.", "Laneway", "Wattle & Wool"),
        ("Merino", "Leather", "Cable", "Polarised", "Canvas", "Everyday"),
        (
            _c("Gloves", "winter", 19, 89, "Gloves", "Touchscreen Gloves", "Mittens"),
            _c("Beanies and hats", "winter", 19, 69, "Beanie", "Bucket Hat", "Wool Cap"),
            _c("Scarves", "winter", 25, 109, "Scarf", "Snood", "Wrap"),
            _c("Sunglasses", "summer", 39, 259, "Sunglasses", "Aviators", "Sport Shades"),
            _c("Bags", "all", 49, 399, "Tote", "Backpack", "Crossbody Bag"),
        ),
    ),
    DepartmentSpec(
        "footwear",
        "Footwear",
        "FTW",
        ("Strider", "Harbour & Co.", "Gully", "Redgum"),
        ("Suede", "Waterproof", "Leather", "Trail", "Cushioned", "Classic"),
        (
            _c("Boots", "winter", 119, 379, "Chelsea Boot", "Hiking Boot", "Ankle Boot"),
            _c("Sneakers", "all", 89, 239, "Runner", "Court Sneaker", "Trail Runner"),
            _c("Sandals", "summer", 39, 139, "Slide", "Sandal", "Thong"),
            _c("Socks", "all", 9, 29, "Crew Socks 3-Pack", "Hiking Socks", "Ankle Socks 5-Pack", cycle=150),
        ),
    ),
    DepartmentSpec(
        "home_kitchen",
        "Home & Kitchen",
        "HOM",
        ("Crema", "Hearth", "Nest & Co.", "Ironbark"),
        ("Stainless", "Matte", "Ceramic", "Linen", "Barista", "Cast Iron"),
        (
            _c("Coffee machines", "all", 199, 1199, "Espresso Machine", "Pod Machine", "Drip Brewer"),
            _c("Grinders", "all", 79, 399, "Burr Grinder", "Hand Grinder"),
            _c("Cookware", "all", 39, 349, "Frypan", "Dutch Oven", "Saucepan Set"),
            _c("Bedding", "winter", 59, 299, "Quilt Cover Set", "Wool Blanket", "Flannel Sheets"),
            _c("Candles and diffusers", "all", 19, 79, "Soy Candle", "Reed Diffuser"),
        ),
    ),
    DepartmentSpec(
        "pantry",
        "Pantry",
        "PAN",
        ("Roastery Lane", "Crema", "Pantry Co.", "Mount Cocoa"),
        ("Single Origin", "House Blend", "Organic", "Dark", "Classic", "Breakfast"),
        (
            _c(
                "Coffee beans",
                "all",
                15,
                32,
                "Coffee Beans 1kg",
                "Coffee Beans 500g",
                "Decaf Beans",
                cycle=30,
            ),
            _c("Tea", "winter", 9, 25, "Loose Leaf Tea", "Tea Bags 100", cycle=45),
            _c("Chocolate", "all", 5, 15, "Chocolate Block", "Drinking Chocolate", cycle=21),
            _c("Snacks", "all", 4, 12, "Crackers", "Roasted Nuts", "Muesli Bars", cycle=14),
            _c("Olive oil and staples", "all", 8, 30, "Olive Oil 1L", "Pasta 6-Pack", "Passata", cycle=45),
        ),
    ),
    DepartmentSpec(
        "pets",
        "Pets",
        "PET",
        ("Good Boy", "Whisker", "Pawsome", "Barkly"),
        ("Grain Free", "Adult", "Puppy", "Senior", "Premium", "Natural"),
        (
            _c(
                "Dog food",
                "all",
                39,
                119,
                "Dry Dog Food 12kg",
                "Dry Dog Food 3kg",
                "Wet Dog Food 12-Pack",
                cycle=30,
            ),
            _c("Cat food", "all", 25, 79, "Dry Cat Food 4kg", "Wet Cat Food 24-Pack", cycle=28),
            _c("Pet treats", "all", 8, 25, "Dental Chews", "Training Treats", "Jerky Treats", cycle=21),
            _c("Cat litter", "all", 15, 39, "Clumping Litter 15L", "Pine Litter", cycle=35),
            _c("Dog beds and accessories", "all", 29, 199, "Dog Bed", "Harness", "Lead"),
            _c("Dog toys", "all", 9, 39, "Rope Toy", "Squeaky Toy", "Ball Launcher"),
        ),
    ),
    DepartmentSpec(
        "beauty",
        "Beauty",
        "BEA",
        ("Botanica", "Salt & Stone", "Lumen", "Wild Coast"),
        ("Hydrating", "Gentle", "Vitamin C", "Sensitive", "Botanical", "Daily"),
        (
            _c("Skincare", "all", 25, 119, "Moisturiser", "Serum", "Cleanser", cycle=60),
            _c("Haircare", "all", 15, 59, "Shampoo", "Conditioner", "Hair Mask", cycle=45),
            _c("Body wash", "all", 8, 25, "Body Wash", "Hand Wash", "Body Lotion", cycle=30),
            _c("Sunscreen", "summer", 15, 39, "SPF50 Sunscreen", "Tinted SPF", cycle=60),
            _c("Fragrance", "all", 79, 259, "Eau de Parfum", "Eau de Toilette"),
        ),
    ),
    DepartmentSpec(
        "outdoor_garden",
        "Outdoor & Garden",
        "GAR",
        ("Ironbark", "Bushline", "Backyard Co."),
        ("Compact", "Family", "Heavy Duty", "Portable", "Hardwood", "Deluxe"),
        (
            _c("Camping gear", "summer", 39, 599, "Tent", "Sleeping Bag", "Camp Chair"),
            _c("BBQ and outdoor cooking", "summer", 149, 1199, "Gas BBQ", "Charcoal Grill", "Pizza Oven"),
            _c("Garden tools", "spring", 19, 149, "Secateurs", "Hose Reel", "Garden Spade"),
            _c("Seeds and plants", "spring", 5, 39, "Herb Seeds", "Potted Citrus", "Seedling Tray"),
            _c("Outdoor furniture", "summer", 149, 1499, "Outdoor Setting", "Sun Lounger", "Bench"),
        ),
    ),
    DepartmentSpec(
        "electronics",
        "Electronics",
        "ELE",
        ("Volt", "Soundwave", "Homeworks"),
        ("Wireless", "Noise Cancelling", "Smart", "Rechargeable", "Compact", "Pro"),
        (
            _c("Headphones", "all", 49, 549, "Over-Ear Headphones", "Earbuds"),
            _c("Phone accessories", "all", 15, 89, "Phone Case", "Charger", "Power Bank"),
            _c("Smart home", "all", 49, 299, "Smart Speaker", "Smart Plug 4-Pack", "Video Doorbell"),
            _c("Batteries", "all", 8, 29, "AA Batteries 20-Pack", "AAA Batteries 20-Pack", cycle=120),
        ),
    ),
)

# Directed: buyers of the first category often want the second, with this strength (0, 1].
COMPLEMENTS: tuple[tuple[str, str, float], ...] = (
    ("Winter jackets", "Gloves", 0.5),
    ("Winter jackets", "Beanies and hats", 0.5),
    ("Winter jackets", "Thermal layers", 0.45),
    ("Winter jackets", "Boots", 0.4),
    ("Winter jackets", "Scarves", 0.35),
    ("Rain shells", "Boots", 0.35),
    ("Rain shells", "Thermal layers", 0.3),
    ("Rain shells", "Beanies and hats", 0.2),
    ("Puffer vests", "Thermal layers", 0.35),
    ("Puffer vests", "Beanies and hats", 0.3),
    ("Fleece", "Thermal layers", 0.3),
    ("Fleece", "Beanies and hats", 0.25),
    ("Knitwear", "Scarves", 0.35),
    ("Knitwear", "Jeans and trousers", 0.3),
    ("Boots", "Socks", 0.5),
    ("Sneakers", "Socks", 0.55),
    ("Sneakers", "Activewear", 0.35),
    ("Activewear", "Sneakers", 0.35),
    ("Activewear", "Socks", 0.3),
    ("Swimwear", "Sunscreen", 0.55),
    ("Swimwear", "Sunglasses", 0.45),
    ("Swimwear", "Sandals", 0.4),
    ("Dresses", "Sandals", 0.35),
    ("Dresses", "Sunglasses", 0.25),
    ("Dresses", "Bags", 0.25),
    ("Coffee machines", "Coffee beans", 0.8),
    ("Coffee machines", "Grinders", 0.45),
    ("Grinders", "Coffee beans", 0.7),
    ("Dog beds and accessories", "Dog food", 0.6),
    ("Dog beds and accessories", "Dog toys", 0.5),
    ("Dog beds and accessories", "Pet treats", 0.45),
    ("Dog food", "Pet treats", 0.4),
    ("Dog toys", "Pet treats", 0.4),
    ("Cat food", "Cat litter", 0.6),
    ("Cat food", "Pet treats", 0.3),
    ("Camping gear", "Thermal layers", 0.35),
    ("Camping gear", "Batteries", 0.3),
    ("BBQ and outdoor cooking", "Outdoor furniture", 0.3),
    ("Garden tools", "Seeds and plants", 0.6),
    ("Skincare", "Sunscreen", 0.3),
    ("Haircare", "Body wash", 0.3),
    ("Phone accessories", "Headphones", 0.25),
    ("Phone accessories", "Batteries", 0.2),
    ("Smart home", "Batteries", 0.3),
    ("Cookware", "Olive oil and staples", 0.3),
    ("Bedding", "Candles and diffusers", 0.3),
    ("Tea", "Chocolate", 0.3),
)


def season_of_month(month: int) -> str:
    """Southern-hemisphere season of a calendar month (1-12)."""
    return ("summer", "autumn", "winter", "spring")[(month % 12) // 3]
