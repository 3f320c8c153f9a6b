"""The company and recipients the paperwork tests configure (a plain module: tests import it)."""

COMPANY = {"name": "Smedjen Ærbøl ApS", "cvr": "35954716", "address": "Havnegade 4, 5000 Odense C",
           "email": "persondata@smedjen.dk", "dpo": "Karen Dahl, dpo@smedjen.dk"}
RECIPIENTS = {
    "processors": ["Hetzner Online GmbH | drift af serveren | Tyskland",
                   "Postværket Inc. | udsendelse af nyhedsbreve | USA"],
    "sub_processors": ["Skyhuset LLC | datacenter | USA | Postværket Inc."],
    "others": ["Revisionsfirmaet Tal ApS | revision | Danmark"],
    "third_country_transfers": ["Postværket Inc. | USA | EU-U.S. Data Privacy Framework"],
}
