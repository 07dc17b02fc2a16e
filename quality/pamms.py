"""The framework most East of England councils share (PAMMS): 16 standards in 5 domains, seeded as version 1 and
current (quality.services.framework_seed, after every migrate). Weights are the council's to change (in the admin,
as a new version): medicines, safeguarding and care and welfare count double here, where harm is most direct."""

DOMAINS = [
    (
        1,
        "Involvement and information",
        [
            (
                1,
                "Respecting and involving people",
                "People are treated with dignity and respect, are involved in "
                "decisions about their care and are given information they understand.",
            ),
            (
                2,
                "Consent",
                "People's consent is sought before care is given; the Mental Capacity Act is followed where "
                "they cannot consent.",
            ),
        ],
    ),
    (
        2,
        "Personalised care and support",
        [
            (
                3,
                "Care and welfare",
                "Care is assessed, planned and delivered to meet each person's needs, and reviewed.",
            ),
            (4, "Nutrition", "People have enough to eat and drink, with their preferences and dietary needs met."),
            (
                5,
                "Co-operating with other providers",
                "Care is co-ordinated with the other services a person uses, "
                "including on admission, discharge and transfer.",
            ),
        ],
    ),
    (
        3,
        "Safeguarding and safety",
        [
            (6, "Safeguarding", "People are protected from abuse; staff recognise and report it; restraint is lawful."),
            (7, "Cleanliness and infection control", "The setting is clean and infection is prevented and controlled."),
            (8, "Medicines", "Medicines are obtained, stored, given and recorded safely."),
            (9, "Premises", "The premises are safe, suitable and well kept."),
            (10, "Equipment", "Equipment is safe, suitable, maintained and available."),
        ],
    ),
    (
        4,
        "Suitability of staffing",
        [
            (11, "Requirements relating to staff", "Staff are recruited safely: checks, references and right to work."),
            (12, "Staffing", "There are enough suitably qualified and experienced staff on duty at all times."),
            (13, "Supporting staff", "Staff are trained, supervised and appraised."),
        ],
    ),
    (
        5,
        "Quality of management",
        [
            (14, "Assessing and monitoring quality", "The provider audits its own service and acts on what it finds."),
            (15, "Complaints", "Complaints are received, investigated and answered, and lessons learnt."),
            (16, "Records", "Records about people and the service are accurate, kept securely and available."),
        ],
    ),
]
DOUBLE_WEIGHT = {3, 6, 8}
NAME = "PAMMS"
NOTES = "The 16 standards in 5 domains of the shared PAMMS framework."
