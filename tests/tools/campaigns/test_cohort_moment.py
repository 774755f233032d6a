"""What the set-based always-on pass reads per member is what one member's decision reads: the moment
of the category the message is about (`anchor_intent` against `moment_intent`) and the bundle
(`bundle_orders` against `recommend_bundle`), member by member over the seeded world."""

import numpy as np

from policies.vocabulary import UseCase
from tests.mcp_servers.seeded_world import SeededWorld
from tools.campaigns.bundles import bundle_orders
from tools.campaigns.proposals import anchor_categories
from tools.campaigns.scoring import typical_basket
from tools.catalogue import recommend_bundle
from tools.errors import NotFound
from tools.nba import anchor_intent
from tools.nba.member_scoring import moment_intent


async def test_the_moment_and_the_bundle_are_one_members_own(world: SeededWorld) -> None:
    async with world.open() as product:
        frame = await product.profiles.frame(world.now)
        rows = np.arange(len(frame))
        anchors = anchor_categories(frame, rows)
        intent, due = anchor_intent(frame, rows, UseCase.UPSELL, world.now.replace(tzinfo=None))
        bundles = await bundle_orders(product.db, frame, rows, anchors, typical_basket(frame, rows))
        assert due.any() and bundles.available.any()
        for row in rows.tolist()[::5]:
            profile = await product.profiles.profile(int(frame.history.members.customer_id[row]), world.now)
            top = profile.predictions.category_affinity
            category = profile.predictions.favourite_category or (top[0].category if top else None)
            assert category == anchors[row]
            assert intent[row] == moment_intent(profile, UseCase.UPSELL, category, world.now)
            affinity = {c.category: c.score for c in top}
            try:
                items = await recommend_bundle(
                    product.db, anchor_category=category or "", affinity=affinity, size=2
                )
            except NotFound:
                items = []
            assert bundles.available[row] == (len(items) >= 2)
            if len(items) >= 2:
                assert bundles.sku_value[row] == sum(i.price for i in items)
