"""The two demo campaigns, retold from ../shared/seeds in our own words: same facts, targets and shape.

Demo targets have example.org addresses, so the demo never emails a real person.
"""

from __future__ import annotations

import datetime

LIBYA_STORY = """
<p>Across Libya, people who fled war and persecution are locked in detention centres where torture,
forced labour, sexual violence and even sale into slavery are part of daily life. Rather than ending these
abuses, European governments are helping to keep people trapped there.</p>
<p>Europe trains the Libyan coastguard and gives it boats, so that people trying to leave are caught at sea and
returned to the same centres. That support makes European leaders complicit in what happens next.</p>
<p>Footage, photographs and documents examined by Amnesty International show that the <em>Ras Jadir</em>, a
vessel donated by Italy in April 2017, was used by the Libyan coastguard on 6 November 2017 in a rescue
gone wrong: its crew's reckless conduct contributed to the drowning of up to 50 people.</p>
<p>Up to <strong>20,000</strong> migrants, refugees and asylum seekers are held in these centres, at the mercy
of militias and armed groups, with no idea whether they will ever get out. They go without enough food, clean
water or medical care, and face torture, rape and being sold.</p>
"""

LIBYA_LETTER = """I am writing to tell you how alarmed I am by the repeated reports of abuse suffered by migrants and refugees in Libya.

More than 20,000 migrants and refugees are held today in Libya's official detention centres, which are run by militias and armed groups with loose ties to the Government. They are kept in appalling conditions without enough food, water or medicine, and are subjected to torture, extortion, forced labour and sexual violence.

I am deeply concerned that by training, equipping and backing the Libyan coastguard, Europe is trapping migrants and refugees in Libya and feeding these abuses.

Locking people up in cruel conditions can never be the answer. I therefore urge you to:

- release every migrant and refugee now held in detention centres, and end the arbitrary detention of refugees and migrants in Libya;

- investigate every allegation of torture and other ill-treatment of refugees and migrants in Libya, and make sure those suspected are brought to fair and open trials, so that the cycle of abuse ends;

- review your migration policies so that the human rights of refugees and migrants are protected at all times;

- formally recognise UNHCR and let it carry out its full mandate, including protecting asylum seekers and refugees."""

KHOMS_STORY = """
<p>A five-year-old boy is being held in the Al Khoms detention centre in Libya, alongside men who are forced
into labour, tortured and abused. He has not seen his mother for months: women and girls are kept in another
part of the centre, and no contact is allowed.</p>
<p>None of them is detained for doing anything wrong. They escaped a repressive regime in Eritrea whose
compulsory conscription amounts to a life sentence for the young.</p>
<p>A few days ago five boys, three of them under 18, were taken from the centre and have not come back.
The detainees fear they were sold to traffickers and slave masters, and that they could be next. They have
begun a hunger strike to demand the boys' return, and have shared videos pleading with UNHCR to visit the
centre and register them, hoping it will stop them being sold and disappearing for good.</p>
<p>The UK government funds these centres, and the so-called Libyan coastguard that catches anyone who tries
to escape and brings them back.</p>
<p>Right now <strong>90 refugees</strong> are in the centre: 10 women and 44 minors, the youngest this
five-year-old boy. 83 are from Eritrea and 7 from Somalia.</p>
"""

KHOMS_MESSAGE = """Please send staff to the Al Khoms detention centre in Libya without delay and register the 90 refugees held there, among them 10 women and 44 children, the youngest only five years old.

Five boys were taken from the centre days ago and have not returned. The others fear they will be sold to traffickers next, and are on hunger strike.

Registering every vulnerable refugee at serious risk of torture, slavery and other crimes against humanity must be UNHCR's first duty. Please act now."""

ORGANISATIONS = [
    {
        "slug": "amnesty-demo",
        "name": "Amnesty International (demo)",
        "website": "https://www.example.org/amnesty",
        "about": "<p>A worldwide movement of people who campaign for every person to enjoy the human rights "
        "set out in the Universal Declaration of Human Rights. This is demo content.</p>",
    },
    {
        "slug": "care4calais-demo",
        "name": "Care4Calais (demo)",
        "website": "https://www.example.org/care4calais",
        "about": "<p>Care4Calais was started by volunteers with one aim: to support the people of the Calais "
        "refugee camps with hot meals, warm clothes, heating and vital legal and medical help.</p>"
        "<p>We are not politicians. We are people like you, who believe every human being deserves to be "
        "treated fairly and with dignity.</p>",
    },
]

CAMPAIGNS = [
    {
        "organisation": "amnesty-demo",
        "slug": "stop-detention-libya",
        "title": "Demand Libya stop the detention and sale of migrants",
        "summary": "Torture, rape and detention are daily reality for many refugees and migrants in Libya. "
        "Tell Libyan and European leaders to protect them.",
        "headline": "Terrible conditions for 20,000 people held in detention centres",
        "story": LIBYA_STORY,
        "media_embed_url": "https://www.example.org/amnesty/ras-jadir-footage",
        "hero_alt": "",
        "call_to_action": "Call on Libyan and European leaders to protect migrants and refugees from horrific abuse",
        "action_kind": "letter",
        "delivery_mode": "individual",
        "goal": 15000,
        "message_before_goal": "Please add your voice before it's too late.",
        "message_near_goal": "We're nearly there. Help us build momentum.",
        "message_after_action": "Messages have been sent!",
        "thank_you_text": "Add your voice and keep up the pressure: share this page with your friends.",
        "consent_wording": "Yes, Amnesty International may email me about this and other campaigns. I can unsubscribe at any time.",
        "letter_subject": "Stop the detention and abuse of migrants and refugees in Libya",
        "letter_salutation": "Dear Prime Minister of Libya Fayez Al-Sarraj and President of the European Commission Jean-Claude Juncker,",
        "letter_body": LIBYA_LETTER,
        "letter_signoff": "Yours sincerely,",
        "allow_personalise": True,
        "targets": [
            ("Fayez Al-Sarraj", "Prime Minister of Libya", "prime-minister.libya@example.org"),
            ("Jean-Claude Juncker", "President of the European Commission", "president.commission@example.org"),
        ],
        "links": [
            ("Responsibility for surging death toll in Central Mediterranean laid squarely at Europe's door", datetime.date(2018, 8, 8)),
            ("Blog: Tortured, raped and sold: we must protect refugees from terrible human rights abuses in Libya", datetime.date(2017, 12, 15)),
            ("Libya: European governments complicit in horrific abuse of refugees and migrants", datetime.date(2017, 12, 12)),
            ("Report: Libya's dark web of collusion", datetime.date(2017, 12, 12)),
        ],
    },
    {
        "organisation": "care4calais-demo",
        "slug": "al-khoms-unhcr",
        "title": "Al Khoms Detention Centre: ask UNHCR to register 90 refugees now",
        "summary": "90 refugees, 44 of them children, are held in Libya's Al Khoms detention centre in fear of "
        "being sold. Message UNHCR and ask it to register them urgently.",
        "headline": "Al Khoms Detention Centre",
        "story": KHOMS_STORY,
        "hero_alt": "",
        "call_to_action": "Message UNHCR now",
        "action_kind": "mailto",
        "delivery_mode": "mailto",
        "goal": 0,
        "message_before_goal": "",
        "message_near_goal": "",
        "message_after_action": "Thank you for speaking up for the refugees of Al Khoms",
        "thank_you_text": "Please share this page so that more people message UNHCR today.",
        "consent_wording": "Yes, Care4Calais may email me with news and ways to help.",
        "letter_subject": "Urgent: register the refugees held in Al Khoms detention centre",
        "letter_salutation": "Dear UNHCR,",
        "letter_body": KHOMS_MESSAGE,
        "letter_signoff": "Yours sincerely,",
        "allow_personalise": False,
        "targets": [("UNHCR", "UN Refugee Agency, Libya", "unhcr-libya@example.org")],
        "links": [],
    },
]
