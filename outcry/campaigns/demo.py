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
        "brand_colour": "#1f1f1f",
        "footer_text": "Amnesty International (demo organisation). This is demo content, not a real campaign.",
        "about": "<p>A worldwide movement of people who campaign for every person to enjoy the human rights "
        "set out in the Universal Declaration of Human Rights. This is demo content.</p>",
        "translations": {
            "fr": {"about": "<p>Un mouvement mondial de personnes qui agissent pour que chacun jouisse des droits "
                   "inscrits dans la Déclaration universelle des droits de l'homme. Contenu de démonstration.</p>"},
            "ar": {"about": "<p>حركة عالمية من الناس يناضلون كي يتمتع كل إنسان بالحقوق المنصوص عليها في "
                   "الإعلان العالمي لحقوق الإنسان. هذا محتوى تجريبي.</p>"},
            "it": {"about": "<p>Un movimento mondiale di persone che si battono perché ognuno goda dei diritti "
                   "sanciti dalla Dichiarazione universale dei diritti umani. Contenuto dimostrativo.</p>"},
        },
    },
    {
        "slug": "care4calais-demo",
        "name": "Care4Calais (demo)",
        "website": "https://www.example.org/care4calais",
        "brand_colour": "#0f5e63",
        "footer_text": "Care4Calais (demo organisation). This is demo content, not a real campaign.",
        "about": "<p>Care4Calais was started by volunteers with one aim: to support the people of the Calais "
        "refugee camps with hot meals, warm clothes, heating and vital legal and medical help.</p>"
        "<p>We are not politicians. We are people like you, who believe every human being deserves to be "
        "treated fairly and with dignity.</p>",
        "translations": {
            "fr": {"about": "<p>Care4Calais a été fondée par des bénévoles avec un seul but : soutenir les personnes des "
                   "camps de Calais avec des repas chauds, des vêtements, du chauffage et une aide juridique et médicale.</p>"},
            "ar": {"about": "<p>أسّس متطوعون Care4Calais لهدف واحد: دعم سكان مخيمات اللاجئين في كاليه بالوجبات "
                   "الساخنة والملابس الدافئة والتدفئة والمساعدة القانونية والطبية.</p>"},
        },
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
        "hero_alt": "An illustration: a small boat crowded with people on a dark sea at dusk.",
        "hero_caption": "The Central Mediterranean (illustration drawn for this demo, not a photograph).",
        "call_to_action": "Call on Libyan and European leaders to protect migrants and refugees from horrific abuse",
        "action_kind": "letter",
        "delivery_mode": "individual",
        "goal": 15000,
        "message_before_goal": "Please add your voice before it's too late.",
        "message_near_goal": "We're nearly there. Help us build momentum.",
        "message_after_action": "Messages have been sent!",
        "message_after_acting": "You have added your voice. Now keep up the pressure: share this page with your friends.",
        "consent_wording": "Yes, Amnesty International may email me about this and other campaigns. I can unsubscribe at any time.",
        "letter_subject": "Stop the detention and abuse of migrants and refugees in Libya",
        "letter_salutation": "Dear Prime Minister of Libya Fayez Al-Sarraj and President of the European Commission Jean-Claude Juncker,",
        "letter_body": LIBYA_LETTER,
        "letter_signoff": "Yours sincerely,",
        "allow_personalise": True,
        "supporters_choose_targets": True,
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
        "hero_alt": "An illustration: a high wall topped with barbed wire and a closed metal gate under a hazy sky.",
        "hero_caption": "Al Khoms detention centre, Libya (illustration drawn for this demo, not a photograph).",
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

# The demo campaigns in more languages (CampaignTranslation rows). Written for this demo; names of
# people and places keep their usual spelling in each language.
LIBYA_STORY_FR = """
<p>Partout en Libye, des personnes qui ont fui la guerre et la persécution sont enfermées dans des centres de
détention où la torture, le travail forcé, les violences sexuelles et même la vente comme esclaves font partie
du quotidien. Au lieu de mettre fin à ces abus, les gouvernements européens contribuent à les y maintenir.</p>
<p>L'Europe forme les garde-côtes libyens et leur fournit des bateaux, afin que les personnes qui tentent de
partir soient interceptées en mer et renvoyées dans ces mêmes centres. Ce soutien rend les dirigeants européens
complices de ce qui s'y passe ensuite.</p>
<p>Des vidéos, des photos et des documents examinés par Amnesty International montrent que le <em>Ras Jadir</em>,
un navire donné par l'Italie en avril 2017, a été utilisé par les garde-côtes libyens le 6 novembre 2017 lors
d'un sauvetage qui a mal tourné : le comportement imprudent de son équipage a contribué à la noyade de
jusqu'à 50 personnes.</p>
<p>Jusqu'à <strong>20 000</strong> migrants, réfugiés et demandeurs d'asile sont détenus dans ces centres, à la
merci de milices et de groupes armés, sans savoir s'ils en sortiront un jour. Ils manquent de nourriture, d'eau
potable et de soins, et subissent la torture, le viol et la vente.</p>
"""

LIBYA_LETTER_FR = """Je vous écris pour vous dire à quel point je suis alarmé·e par les informations répétées faisant état d'abus subis par les migrants et les réfugiés en Libye.

Plus de 20 000 migrants et réfugiés sont aujourd'hui détenus dans les centres de détention officiels de la Libye, gérés par des milices et des groupes armés aux liens ténus avec le gouvernement. Ils y vivent dans des conditions épouvantables, sans assez de nourriture, d'eau ni de médicaments, et sont soumis à la torture, à l'extorsion, au travail forcé et aux violences sexuelles.

Je suis profondément préoccupé·e par le fait qu'en formant, en équipant et en soutenant les garde-côtes libyens, l'Europe piège les migrants et les réfugiés en Libye et alimente ces abus.

Enfermer des personnes dans des conditions cruelles ne peut jamais être la solution. Je vous demande donc instamment de :

- libérer tous les migrants et réfugiés actuellement détenus dans les centres de détention, et mettre fin à la détention arbitraire des réfugiés et des migrants en Libye ;

- enquêter sur toutes les allégations de torture et d'autres mauvais traitements infligés aux réfugiés et aux migrants en Libye, et veiller à ce que les suspects soient jugés lors de procès équitables et publics, afin de briser le cycle des abus ;

- revoir vos politiques migratoires afin que les droits humains des réfugiés et des migrants soient protégés en toutes circonstances ;

- reconnaître officiellement le HCR et lui permettre d'exercer pleinement son mandat, notamment la protection des demandeurs d'asile et des réfugiés."""

LIBYA_STORY_AR = """
<p>في أنحاء ليبيا، يُحتجز أشخاص فرّوا من الحرب والاضطهاد في مراكز احتجاز أصبح فيها التعذيب والعمل القسري
والعنف الجنسي، بل والبيع كعبيد، جزءًا من الحياة اليومية. وبدلًا من وضع حدّ لهذه الانتهاكات، تساعد الحكومات
الأوروبية على إبقاء الناس محاصرين هناك.</p>
<p>تدرّب أوروبا خفر السواحل الليبي وتزوّده بالقوارب، حتى يُعترض من يحاولون المغادرة في البحر ويُعادوا إلى المراكز
نفسها. وهذا الدعم يجعل القادة الأوروبيين شركاء فيما يحدث بعد ذلك.</p>
<p>تُظهر مقاطع فيديو وصور ووثائق فحصتها منظمة العفو الدولية أن السفينة <em>رأس جدير</em>، التي تبرّعت بها
إيطاليا في أبريل/نيسان 2017، استخدمها خفر السواحل الليبي في 6 نوفمبر/تشرين الثاني 2017 في عملية إنقاذ
انتهت بكارثة: فقد أسهم سلوك طاقمها المتهوّر في غرق ما يصل إلى 50 شخصًا.</p>
<p>يُحتجز في هذه المراكز ما يصل إلى <strong>20,000</strong> مهاجر ولاجئ وطالب لجوء، تحت رحمة الميليشيات
والجماعات المسلحة، دون أن يعرفوا إن كانوا سيخرجون يومًا. وهم محرومون من الغذاء الكافي والمياه النظيفة والرعاية
الطبية، ويتعرّضون للتعذيب والاغتصاب والبيع.</p>
"""

LIBYA_LETTER_AR = """أكتب إليكم لأعبّر عن قلقي البالغ إزاء التقارير المتكررة عن الانتهاكات التي يتعرّض لها المهاجرون واللاجئون في ليبيا.

يُحتجز اليوم أكثر من 20,000 مهاجر ولاجئ في مراكز الاحتجاز الرسمية في ليبيا، التي تديرها ميليشيات وجماعات مسلحة تربطها بالحكومة صلات واهية. وهم محتجزون في ظروف مروّعة دون ما يكفي من الغذاء والماء والدواء، ويتعرّضون للتعذيب والابتزاز والعمل القسري والعنف الجنسي.

ويقلقني بشدة أن أوروبا، بتدريبها خفر السواحل الليبي وتجهيزه ودعمه، تحاصر المهاجرين واللاجئين في ليبيا وتغذّي هذه الانتهاكات.

إن احتجاز الناس في ظروف قاسية لا يمكن أن يكون الحل أبدًا. لذلك أحثّكم على:

- الإفراج عن جميع المهاجرين واللاجئين المحتجزين حاليًا في مراكز الاحتجاز، وإنهاء الاحتجاز التعسفي للاجئين والمهاجرين في ليبيا؛

- التحقيق في جميع ادعاءات التعذيب وغيره من ضروب سوء معاملة اللاجئين والمهاجرين في ليبيا، وضمان تقديم المشتبه بهم إلى محاكمات عادلة وعلنية، حتى تنتهي دوامة الانتهاكات؛

- مراجعة سياساتكم المتعلقة بالهجرة بحيث تُحمى حقوق الإنسان للاجئين والمهاجرين في جميع الأوقات؛

- الاعتراف رسميًا بالمفوضية السامية للأمم المتحدة لشؤون اللاجئين والسماح لها بأداء ولايتها كاملة، بما في ذلك حماية طالبي اللجوء واللاجئين."""

KHOMS_STORY_FR = """
<p>Un garçon de cinq ans est détenu dans le centre de détention d'Al Khoms, en Libye, aux côtés d'hommes
soumis au travail forcé, à la torture et aux mauvais traitements. Il n'a pas vu sa mère depuis des mois : les
femmes et les filles sont enfermées dans une autre partie du centre, et aucun contact n'est autorisé.</p>
<p>Aucun d'eux n'est détenu pour avoir commis quoi que ce soit. Ils ont fui un régime répressif en Érythrée,
dont le service militaire obligatoire équivaut à une condamnation à vie pour les jeunes.</p>
<p>Il y a quelques jours, cinq garçons, dont trois de moins de 18 ans, ont été emmenés hors du centre et ne
sont pas revenus. Les détenus craignent qu'ils aient été vendus à des trafiquants et à des marchands d'esclaves,
et d'être les prochains. Ils ont entamé une grève de la faim pour exiger le retour des garçons, et ont diffusé
des vidéos suppliant le HCR de venir au centre et de les enregistrer, dans l'espoir d'éviter d'être vendus et
de disparaître pour toujours.</p>
<p>Le gouvernement britannique finance ces centres, ainsi que les soi-disant garde-côtes libyens qui
rattrapent quiconque tente de s'échapper et le ramènent.</p>
<p>En ce moment, <strong>90 réfugiés</strong> se trouvent dans le centre : 10 femmes et 44 mineurs, dont le plus
jeune est ce garçon de cinq ans. 83 viennent d'Érythrée et 7 de Somalie.</p>
"""

KHOMS_MESSAGE_FR = """Je vous prie d'envoyer sans délai du personnel au centre de détention d'Al Khoms, en Libye, et d'enregistrer les 90 réfugiés qui y sont détenus, dont 10 femmes et 44 enfants, le plus jeune âgé de cinq ans seulement.

Cinq garçons ont été emmenés hors du centre il y a plusieurs jours et ne sont pas revenus. Les autres craignent d'être vendus à des trafiquants à leur tour, et font la grève de la faim.

Enregistrer chaque réfugié vulnérable exposé à un risque grave de torture, d'esclavage et d'autres crimes contre l'humanité doit être la première mission du HCR. Agissez maintenant, s'il vous plaît."""

KHOMS_STORY_AR = """
<p>طفل في الخامسة من عمره محتجز في مركز احتجاز الخُمس في ليبيا، إلى جانب رجال يُجبرون على العمل القسري
ويتعرّضون للتعذيب وسوء المعاملة. لم يرَ أمّه منذ أشهر: فالنساء والفتيات محتجزات في جزء آخر من المركز، ولا
يُسمح بأي تواصل.</p>
<p>لم يُحتجز أيٌّ منهم لأنه ارتكب خطأً. لقد فرّوا من نظام قمعي في إريتريا، حيث يعني التجنيد الإجباري حكمًا
مدى الحياة على الشباب.</p>
<p>قبل أيام قليلة، أُخذ خمسة فتيان، ثلاثة منهم دون الثامنة عشرة، من المركز ولم يعودوا. ويخشى المحتجزون أن
يكونوا قد بيعوا لمهرّبين وتجّار رقيق، وأن يكون الدور عليهم. وقد بدأوا إضرابًا عن الطعام للمطالبة بعودة
الفتيان، ونشروا مقاطع فيديو يناشدون فيها المفوضية السامية للأمم المتحدة لشؤون اللاجئين زيارة المركز وتسجيلهم،
أملًا في أن يمنع ذلك بيعهم واختفاءهم إلى الأبد.</p>
<p>تموّل الحكومة البريطانية هذه المراكز، وما يُسمّى خفر السواحل الليبي الذي يعترض كل من يحاول الهرب ويعيده.</p>
<p>يوجد الآن في المركز <strong>90 لاجئًا</strong>: 10 نساء و44 قاصرًا، أصغرهم هذا الطفل ذو الخمس سنوات. 83 منهم من
إريتريا و7 من الصومال.</p>
"""

KHOMS_MESSAGE_AR = """أرجو أن ترسلوا موظفين إلى مركز احتجاز الخُمس في ليبيا دون تأخير، وأن تسجّلوا اللاجئين التسعين المحتجزين فيه، ومنهم 10 نساء و44 طفلًا، أصغرهم في الخامسة من عمره فقط.

أُخذ خمسة فتيان من المركز قبل أيام ولم يعودوا. ويخشى الباقون أن يُباعوا هم أيضًا لمهرّبين، وهم مضربون عن الطعام.

يجب أن يكون تسجيل كل لاجئ مستضعف معرّض لخطر جسيم من التعذيب والاستعباد وغيرها من الجرائم ضد الإنسانية الواجب الأول للمفوضية. أرجو أن تتحركوا الآن."""

LIBYA_STORY_IT = """
<p>In tutta la Libia, persone fuggite da guerre e persecuzioni sono rinchiuse in centri di detenzione dove
torture, lavoro forzato, violenza sessuale e persino la vendita come schiavi fanno parte della vita quotidiana.
Invece di porre fine a questi abusi, i governi europei contribuiscono a tenerle intrappolate lì.</p>
<p>L'Europa addestra la guardia costiera libica e le fornisce motovedette, perché chi cerca di partire venga
intercettato in mare e riportato negli stessi centri. Questo sostegno rende i leader europei complici di ciò
che accade dopo.</p>
<p>Video, fotografie e documenti esaminati da Amnesty International mostrano che la <em>Ras Jadir</em>, una
motovedetta donata dall'Italia nell'aprile 2017, è stata usata dalla guardia costiera libica il 6 novembre 2017
in un soccorso finito male: la condotta sconsiderata del suo equipaggio ha contribuito all'annegamento di fino
a 50 persone.</p>
<p>Fino a <strong>20.000</strong> migranti, rifugiati e richiedenti asilo sono trattenuti in questi centri, alla
mercé di milizie e gruppi armati, senza sapere se ne usciranno mai. Mancano di cibo, acqua pulita e cure
mediche, e subiscono torture, stupri e la vendita.</p>
"""

LIBYA_LETTER_IT = """Le scrivo per dirLe quanto mi allarmano le ripetute notizie di abusi subiti da migranti e rifugiati in Libia.

Oltre 20.000 migranti e rifugiati sono oggi trattenuti nei centri di detenzione ufficiali della Libia, gestiti da milizie e gruppi armati con legami deboli con il governo. Vivono in condizioni terribili, senza cibo, acqua e medicine a sufficienza, e subiscono torture, estorsioni, lavoro forzato e violenza sessuale.

Sono profondamente preoccupato/a che, addestrando, equipaggiando e sostenendo la guardia costiera libica, l'Europa stia intrappolando migranti e rifugiati in Libia e alimentando questi abusi.

Rinchiudere le persone in condizioni crudeli non può mai essere la risposta. La esorto pertanto a:

- liberare tutti i migranti e i rifugiati oggi trattenuti nei centri di detenzione, e porre fine alla detenzione arbitraria di rifugiati e migranti in Libia;

- indagare su ogni denuncia di tortura e di altri maltrattamenti di rifugiati e migranti in Libia, e assicurare che i sospettati siano sottoposti a processi equi e pubblici, perché il ciclo degli abusi abbia fine;

- rivedere le politiche migratorie affinché i diritti umani di rifugiati e migranti siano tutelati in ogni momento;

- riconoscere formalmente l'UNHCR e permettergli di svolgere pienamente il suo mandato, inclusa la protezione di richiedenti asilo e rifugiati."""

TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "stop-detention-libya": {
        "fr": {
            "hero_alt": "Une illustration : un petit bateau surchargé de personnes sur une mer sombre au crépuscule.",
            "hero_caption": "La Méditerranée centrale (illustration dessinée pour cette démo, pas une photographie).",
            "title": "Exigeons que la Libye cesse la détention et la vente des migrants",
            "summary": "La torture, le viol et la détention sont le quotidien de nombreux réfugiés et migrants en Libye. "
            "Demandez aux dirigeants libyens et européens de les protéger.",
            "headline": "Des conditions terribles pour 20 000 personnes enfermées dans des centres de détention",
            "story": LIBYA_STORY_FR,
            "call_to_action": "Appelez les dirigeants libyens et européens à protéger les migrants et les réfugiés contre des abus effroyables",
            "message_before_goal": "Joignez votre voix avant qu'il ne soit trop tard.",
            "message_near_goal": "Nous y sommes presque. Aidez-nous à garder l'élan.",
            "message_after_action": "Les messages ont été envoyés !",
            "message_after_acting": "Vous avez joint votre voix. Maintenez la pression : partagez cette page avec vos proches.",
            "consent_wording": "Oui, Amnesty International peut m'écrire au sujet de cette campagne et d'autres. Je peux me désinscrire à tout moment.",
            "letter_subject": "Mettez fin à la détention et aux abus contre les migrants et les réfugiés en Libye",
            "letter_salutation": "Monsieur le Premier ministre de Libye Fayez Al-Sarraj, Monsieur le Président de la Commission européenne Jean-Claude Juncker,",
            "letter_body": LIBYA_LETTER_FR,
            "letter_signoff": "Veuillez agréer l'expression de ma haute considération,",
        },
        "ar": {
            "hero_alt": "رسم توضيحي: قارب صغير مكتظ بالناس في بحر مظلم عند الغسق.",
            "hero_caption": "وسط البحر المتوسط (رسم توضيحي أُعدّ لهذا العرض، وليس صورة فوتوغرافية).",
            "title": "طالِبوا ليبيا بوقف احتجاز المهاجرين وبيعهم",
            "summary": "التعذيب والاغتصاب والاحتجاز واقع يومي لكثير من اللاجئين والمهاجرين في ليبيا. "
            "اطلبوا من القادة الليبيين والأوروبيين حمايتهم.",
            "headline": "ظروف مروّعة لعشرين ألف شخص محتجزين في مراكز الاحتجاز",
            "story": LIBYA_STORY_AR,
            "call_to_action": "طالِبوا القادة الليبيين والأوروبيين بحماية المهاجرين واللاجئين من انتهاكات مروّعة",
            "message_before_goal": "أضيفوا صوتكم قبل فوات الأوان.",
            "message_near_goal": "اقتربنا كثيرًا. ساعدونا على مواصلة الزخم.",
            "message_after_action": "أُرسلت الرسائل!",
            "message_after_acting": "أضفتم صوتكم. واصلوا الضغط الآن: شاركوا هذه الصفحة مع أصدقائكم.",
            "consent_wording": "نعم، يمكن لمنظمة العفو الدولية مراسلتي بشأن هذه الحملة وحملات أخرى. ويمكنني إلغاء الاشتراك في أي وقت.",
            "letter_subject": "أوقفوا احتجاز المهاجرين واللاجئين والانتهاكات بحقهم في ليبيا",
            "letter_salutation": "السيد فايز السراج، رئيس وزراء ليبيا، والسيد جان كلود يونكر، رئيس المفوضية الأوروبية،",
            "letter_body": LIBYA_LETTER_AR,
            "letter_signoff": "مع خالص التحية،",
        },
        "it": {
            "hero_alt": "Un disegno: una piccola barca carica di persone su un mare scuro al tramonto.",
            "hero_caption": "Il Mediterraneo centrale (disegno realizzato per questa demo, non una fotografia).",
            "title": "Chiediamo alla Libia di fermare la detenzione e la vendita dei migranti",
            "summary": "Torture, stupri e detenzione sono la realtà quotidiana di molti rifugiati e migranti in Libia. "
            "Chiedi ai leader libici ed europei di proteggerli.",
            "headline": "Condizioni terribili per 20.000 persone rinchiuse nei centri di detenzione",
            "story": LIBYA_STORY_IT,
            "call_to_action": "Chiedi ai leader libici ed europei di proteggere migranti e rifugiati da abusi orribili",
            "message_before_goal": "Aggiungi la tua voce prima che sia troppo tardi.",
            "message_near_goal": "Ci siamo quasi. Aiutaci a non perdere lo slancio.",
            "message_after_action": "I messaggi sono stati inviati!",
            "message_after_acting": "Hai aggiunto la tua voce. Ora mantieni alta la pressione: condividi questa pagina con i tuoi amici.",
            "consent_wording": "Sì, Amnesty International può scrivermi su questa e altre campagne. Posso annullare l'iscrizione in qualsiasi momento.",
            "letter_subject": "Fermate la detenzione e gli abusi contro migranti e rifugiati in Libia",
            "letter_salutation": "Egregio Primo ministro della Libia Fayez Al-Sarraj, Egregio Presidente della Commissione europea Jean-Claude Juncker,",
            "letter_body": LIBYA_LETTER_IT,
            "letter_signoff": "Distinti saluti,",
        },
    },
    "al-khoms-unhcr": {
        "fr": {
            "hero_alt": "Une illustration : un haut mur surmonté de barbelés et une porte métallique fermée sous un ciel brumeux.",
            "hero_caption": "Le centre de détention d'Al Khoms, Libye (illustration dessinée pour cette démo, pas une photographie).",
            "title": "Centre de détention d'Al Khoms : demandez au HCR d'enregistrer 90 réfugiés maintenant",
            "summary": "90 réfugiés, dont 44 enfants, sont détenus dans le centre d'Al Khoms en Libye et craignent "
            "d'être vendus. Écrivez au HCR pour qu'il les enregistre d'urgence.",
            "headline": "Centre de détention d'Al Khoms",
            "story": KHOMS_STORY_FR,
            "call_to_action": "Écrivez au HCR maintenant",
            "message_after_action": "Merci de prendre la parole pour les réfugiés d'Al Khoms",
            "thank_you_text": "Partagez cette page pour que davantage de personnes écrivent au HCR aujourd'hui.",
            "consent_wording": "Oui, Care4Calais peut m'écrire pour me donner des nouvelles et des moyens d'aider.",
            "letter_subject": "Urgent : enregistrez les réfugiés détenus dans le centre de détention d'Al Khoms",
            "letter_salutation": "Madame, Monsieur,",
            "letter_body": KHOMS_MESSAGE_FR,
            "letter_signoff": "Veuillez agréer mes salutations distinguées,",
        },
        "ar": {
            "hero_alt": "رسم توضيحي: جدار عالٍ تعلوه أسلاك شائكة وبوابة معدنية مغلقة تحت سماء ضبابية.",
            "hero_caption": "مركز احتجاز الخُمس، ليبيا (رسم توضيحي أُعدّ لهذا العرض، وليس صورة فوتوغرافية).",
            "title": "مركز احتجاز الخُمس: اطلبوا من المفوضية تسجيل 90 لاجئًا الآن",
            "summary": "90 لاجئًا، منهم 44 طفلًا، محتجزون في مركز الخُمس في ليبيا ويخشون أن يُباعوا. "
            "راسلوا المفوضية واطلبوا منها تسجيلهم على وجه السرعة.",
            "headline": "مركز احتجاز الخُمس",
            "story": KHOMS_STORY_AR,
            "call_to_action": "راسلوا المفوضية الآن",
            "message_after_action": "شكرًا لأنكم رفعتم أصواتكم من أجل لاجئي الخُمس",
            "thank_you_text": "شاركوا هذه الصفحة حتى يراسل مزيد من الناس المفوضية اليوم.",
            "consent_wording": "نعم، يمكن لـ Care4Calais مراسلتي بالأخبار وبطرق المساعدة.",
            "letter_subject": "عاجل: سجّلوا اللاجئين المحتجزين في مركز احتجاز الخُمس",
            "letter_salutation": "إلى المفوضية السامية للأمم المتحدة لشؤون اللاجئين،",
            "letter_body": KHOMS_MESSAGE_AR,
            "letter_signoff": "مع خالص التحية،",
        },
    },
}

# What came of the Libya campaign, the news its supporters were sent, and where they go next.
FOLLOW_UPS = {"stop-detention-libya": "al-khoms-unhcr"}
# Both sides agreed (each as if by an owner): the follow-up above belongs to the partner, so the receipt may
# carry the one-click link to it.
PARTNERSHIPS = [("amnesty-demo", "care4calais-demo")]
OUTCOMES = {
    "stop-detention-libya": {
        "outcome_kind": "handed_in",
        "outcome_text": "We handed your letters to the European Commission's office in Brussels.",
        "outcome_date": datetime.date(2018, 9, 3),
    },
}
UPDATES = {
    "stop-detention-libya": [
        {
            "title": "Your letters were handed in",
            "body": "Thank you. On 3 September we handed your letters to the European Commission's office in "
            "Brussels, with the names of everyone who signed.\n\nWe asked for a meeting about the detention "
            "centres and will tell you what the Commission says.\n\nThe refugees held in Al Khoms need you "
            "now too: please write to UNHCR.",
            "translations": {
                "fr": {
                    "title": "Vos lettres ont été remises",
                    "body": "Merci. Le 3 septembre, nous avons remis vos lettres au bureau de la Commission "
                    "européenne à Bruxelles, avec les noms de toutes les personnes qui ont signé.\n\nNous avons "
                    "demandé une rencontre au sujet des centres de détention et vous dirons ce que répond la "
                    "Commission.\n\nLes réfugiés détenus à Al Khoms ont aussi besoin de vous : écrivez au HCR.",
                },
                "ar": {
                    "title": "سُلّمت رسائلكم",
                    "body": "شكرًا لكم. في 3 سبتمبر سلّمنا رسائلكم إلى مكتب المفوضية الأوروبية في بروكسل، مع أسماء "
                    "كل من وقّع.\n\nطلبنا لقاءً بشأن مراكز الاحتجاز، وسنخبركم بما تردّ به المفوضية.\n\nاللاجئون "
                    "المحتجزون في الخُمس يحتاجون إليكم الآن أيضًا: راسلوا المفوضية السامية للأمم المتحدة لشؤون اللاجئين.",
                },
                "it": {
                    "title": "Le vostre lettere sono state consegnate",
                    "body": "Grazie. Il 3 settembre abbiamo consegnato le vostre lettere all'ufficio della "
                    "Commissione europea a Bruxelles, con i nomi di tutte le persone che hanno firmato.\n\nAbbiamo "
                    "chiesto un incontro sui centri di detenzione e vi diremo che cosa risponde la Commissione."
                    "\n\nAnche i rifugiati detenuti ad Al Khoms hanno bisogno di voi: scrivete all'UNHCR.",
                },
            },
        },
    ],
}


# Targets per supporter: the Libyan embassy in the supporter's own country (a few, with a fallback for the
# rest), beside the two targets every supporter writes to. (group, country or "" for the fallback, name,
# title, email, language)
LIBYAN_EMBASSY = "The Libyan embassy in your country"
TARGET_GROUPS = {
    "stop-detention-libya": [
        (LIBYAN_EMBASSY, "GB", "Embassy of Libya in London", "Ambassador", "embassy-london@example.org", "en"),
        (LIBYAN_EMBASSY, "FR", "Ambassade de Libye à Paris", "Ambassadeur", "ambassade-paris@example.org", "fr"),
        (LIBYAN_EMBASSY, "IT", "Ambasciata di Libia a Roma", "Ambasciatore", "ambasciata-roma@example.org", "it"),
        (LIBYAN_EMBASSY, "TN", "سفارة ليبيا في تونس", "السفير", "embassy-tunis@example.org", "ar"),
        (LIBYAN_EMBASSY, "", "Libyan Mission to the United Nations", "Permanent Representative", "un-mission@example.org", "en"),
    ],
}


# Target names and titles, and learn-more titles, in the page's language (Target.translations,
# LearnMoreLink.translations), keyed by campaign slug and the default-language name or title.
TARGET_TRANSLATIONS = {
    "stop-detention-libya": {
        "Fayez Al-Sarraj": {
            "fr": {"title": "Premier ministre de Libye"},
            "ar": {"name": "فايز السراج", "title": "رئيس وزراء ليبيا"},
            "it": {"title": "Primo ministro della Libia"},
        },
        "Jean-Claude Juncker": {
            "fr": {"title": "Président de la Commission européenne"},
            "ar": {"name": "جان كلود يونكر", "title": "رئيس المفوضية الأوروبية"},
            "it": {"title": "Presidente della Commissione europea"},
        },
    },
    "al-khoms-unhcr": {
        "UNHCR": {
            "fr": {"name": "HCR", "title": "Agence des Nations unies pour les réfugiés, Libye"},
            "ar": {"name": "المفوضية السامية للأمم المتحدة لشؤون اللاجئين", "title": "مكتب ليبيا"},
        },
    },
}
LINK_TRANSLATIONS = {
    "stop-detention-libya": {
        "Report: Libya's dark web of collusion": {
            "fr": {"title": "Rapport : la Libye, une sombre toile de complicités"},
            "ar": {"title": "تقرير: شبكة التواطؤ المظلمة في ليبيا"},
            "it": {"title": "Rapporto: la rete oscura di collusione della Libia"},
        },
        "Libya: European governments complicit in horrific abuse of refugees and migrants": {
            "fr": {"title": "Libye : des gouvernements européens complices de terribles violences contre les réfugiés et les migrants"},
            "ar": {"title": "ليبيا: حكومات أوروبية متواطئة في انتهاكات مروّعة بحق اللاجئين والمهاجرين"},
            "it": {"title": "Libia: governi europei complici di abusi orribili su rifugiati e migranti"},
        },
    },
}
