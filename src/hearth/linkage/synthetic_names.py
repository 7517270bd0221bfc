"""Name tables for the synthetic linkage data set: popularity orders, short forms, spellings.

The heads of the lists are common English given names and British surnames in rough order of
popularity (public aggregate knowledge, no person's data); `synthetic.py` puts a Zipf-shaped
weight on them and a long tail from mimesis, so common names are common and rare names rare, as
term-frequency adjustment needs. The variant tables drive the corruption, not the matcher: a
matcher that reused them would find the nicknames it was given, so keep its own list.
"""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Given names of people born since 2000, most popular first.
GIVEN_M_RECENT = _words(
    "Oliver Harry Jack George Noah Charlie Jacob Alfie Freddie Oscar Leo Arthur Thomas William "
    "James Henry Joshua Theo Archie Muhammad Logan Ethan Isaac Lucas Max Mason Alexander Daniel "
    "Samuel Joseph Dylan Riley Harrison Edward Finley Lewis Benjamin Luke Matthew Callum Ryan "
    "Tyler Jayden Liam Adam Jake Kai Reuben Louie Toby Sebastian Elijah Teddy Tommy Albie Ronnie "
    "Jude Rory Zachary Nathan Connor Owen Aaron Michael Kieran Cameron Bradley Jamie Ellis Louis "
    "Jenson Hugo Stanley Frankie Bobby Rhys Elliot Jaxon Alfred Frederick"
)
GIVEN_F_RECENT = _words(
    "Olivia Amelia Isla Ava Emily Sophia Grace Mia Poppy Ella Lily Evie Isabella Sophie Ivy "
    "Freya Charlotte Florence Daisy Jessica Chloe Ruby Phoebe Matilda Rosie Willow Millie "
    "Isabelle Alice Evelyn Sienna Scarlett Harper Elsie Layla Maisie Erin Lola Holly Megan "
    "Hannah Lucy Katie Amy Lauren Ellie Abigail Molly Summer Eva Zara Aria Maya Lacey Imogen "
    "Bethany Georgia Niamh Caitlin Leah Eleanor Elizabeth Emma Rebecca Amber Jasmine Paige "
    "Aaliyah Hollie Lily-Mae Ellie-Mae Harriet Victoria"
)
# Given names of people born before 2000.
GIVEN_M_OLDER = _words(
    "David Paul Mark Andrew Michael John Richard Stephen Christopher James Robert Peter Ian "
    "Simon Gary Steven Darren Matthew Daniel Anthony Jason Lee Craig Neil Martin Kevin Jonathan "
    "Thomas Stuart Philip Adam Carl Wayne Dean Scott Nicholas Shaun Graham Alan Keith Timothy "
    "William Alexander Benjamin Samuel Luke Ashley Gareth Kieran Liam Ryan Joseph Jamie Nathan "
    "Brian Colin Barry Kenneth Ronald George Raymond Terence Derek Trevor Roger Malcolm Geoffrey "
    "Edward Mohammed Sean Jeffrey Karl Matthew Frederick Alfred Charles Henry"
)
GIVEN_F_OLDER = _words(
    "Sarah Claire Nicola Emma Lisa Joanne Michelle Helen Samantha Karen Amanda Rachel Louise "
    "Julie Laura Kelly Rebecca Donna Victoria Jennifer Elizabeth Catherine Susan Angela Tracey "
    "Deborah Alison Jacqueline Kerry Natalie Gemma Hayley Charlotte Stephanie Lucy Jessica "
    "Hannah Amy Jade Danielle Leanne Katie Zoe Kirsty Stacey Sophie Carol Margaret Patricia "
    "Linda Christine Janet Barbara Jean Mary Sandra Lynn Dawn Wendy Sharon Anne Jane Caroline "
    "Fiona Melanie Kathryn Sally Heather Ruth Andrea Sian Josephine Alexandra Clare Lindsay"
)

# Formal name -> short forms and nicknames (a school register's "Alfie", a police "Bill").
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Will", "Bill", "Billy", "Liam"),
    "Thomas": ("Tom", "Tommy"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Johnny", "Jack"),
    "Jonathan": ("Jon", "Jonny"),
    "Robert": ("Rob", "Bob", "Bobby", "Robbie"),
    "Richard": ("Rich", "Rick", "Richie"),
    "Michael": ("Mike", "Mick", "Mikey"),
    "Christopher": ("Chris", "Kit"),
    "Matthew": ("Matt",),
    "Daniel": ("Dan", "Danny"),
    "Joseph": ("Joe", "Joey"),
    "Samuel": ("Sam", "Sammy"),
    "Benjamin": ("Ben", "Benji"),
    "Alexander": ("Alex", "Xander", "Sandy"),
    "Nicholas": ("Nick", "Nicky"),
    "Anthony": ("Tony", "Ant"),
    "Andrew": ("Andy", "Drew"),
    "Edward": ("Ed", "Eddie", "Ted", "Teddy"),
    "Frederick": ("Fred", "Freddie", "Freddy"),
    "Alfred": ("Alf", "Alfie"),
    "Henry": ("Harry", "Hal"),
    "Oliver": ("Ollie", "Olly"),
    "Charles": ("Charlie", "Chas"),
    "Theodore": ("Theo", "Ted"),
    "Joshua": ("Josh",),
    "Zachary": ("Zach", "Zac"),
    "Nathan": ("Nate",),
    "Stephen": ("Steve",),
    "Steven": ("Steve",),
    "Peter": ("Pete",),
    "Philip": ("Phil",),
    "Timothy": ("Tim", "Timmy"),
    "Kenneth": ("Ken", "Kenny"),
    "Ronald": ("Ron", "Ronnie"),
    "Raymond": ("Ray",),
    "Terence": ("Terry",),
    "Geoffrey": ("Geoff",),
    "David": ("Dave", "Davey"),
    "Muhammad": ("Mo",),
    "Mohammed": ("Mo",),
    "Sebastian": ("Seb",),
    "Elijah": ("Eli",),
    "Cameron": ("Cam",),
    "Jacob": ("Jake",),
    "Bradley": ("Brad",),
    "Callum": ("Cal",),
    "Stanley": ("Stan",),
    "Malcolm": ("Mal",),
    "Trevor": ("Trev",),
    "Gareth": ("Gaz",),
    "Francis": ("Frank", "Frankie"),
    "Elizabeth": ("Liz", "Lizzie", "Beth", "Eliza", "Elsie", "Lisa"),
    "Catherine": ("Kate", "Katie", "Cath", "Cathy"),
    "Katherine": ("Kate", "Katie", "Kath", "Kathy"),
    "Kathryn": ("Kate", "Kath", "Kathy"),
    "Margaret": ("Maggie", "Meg", "Megan", "Maisie"),
    "Rebecca": ("Becky", "Becca"),
    "Samantha": ("Sam", "Sammy"),
    "Jessica": ("Jess", "Jessie"),
    "Charlotte": ("Charlie", "Lottie"),
    "Victoria": ("Vicky", "Tori"),
    "Jennifer": ("Jen", "Jenny"),
    "Alexandra": ("Alex", "Lexi"),
    "Abigail": ("Abi", "Abby"),
    "Amelia": ("Millie", "Mia"),
    "Isabella": ("Izzy", "Bella"),
    "Isabelle": ("Izzy", "Belle"),
    "Olivia": ("Liv", "Livvy"),
    "Florence": ("Flo", "Florrie"),
    "Matilda": ("Tilly", "Tilda"),
    "Eleanor": ("Ellie", "Ella", "Nell", "Nora"),
    "Evelyn": ("Evie",),
    "Sophia": ("Sophie", "Soph"),
    "Sophie": ("Soph",),
    "Natalie": ("Nat",),
    "Nicola": ("Nicky", "Nic"),
    "Deborah": ("Debbie", "Deb"),
    "Patricia": ("Pat", "Tricia"),
    "Susan": ("Sue", "Susie"),
    "Christine": ("Chris", "Chrissie"),
    "Jacqueline": ("Jackie",),
    "Stephanie": ("Steph",),
    "Danielle": ("Dani",),
    "Amanda": ("Mandy",),
    "Barbara": ("Babs",),
    "Caroline": ("Caz", "Carrie", "Carol"),
    "Josephine": ("Jo", "Josie"),
    "Joanne": ("Jo",),
    "Louise": ("Lou",),
    "Michelle": ("Shell",),
    "Imogen": ("Immy",),
    "Harriet": ("Hattie",),
    "Melanie": ("Mel",),
    "Mary": ("Molly",),
    "Anne": ("Annie",),
    "Georgia": ("Georgie",),
    "Archibald": ("Archie",),
    "Leonard": ("Len", "Lenny", "Leo"),
    "Maxwell": ("Max",),
    "Gabriel": ("Gabe",),
    "Finley": ("Finn",),
    "Louis": ("Lou",),
    "Tobias": ("Toby",),
    "Albert": ("Al", "Albie", "Bert"),
    "Simon": ("Si",),
    "Gary": ("Gaz",),
    "Darren": ("Daz",),
    "Jason": ("Jay",),
    "Martin": ("Marty",),
    "Kevin": ("Kev",),
    "Stuart": ("Stu",),
    "Alan": ("Al",),
    "Ashley": ("Ash",),
    "Barry": ("Baz",),
    "Derek": ("Del",),
    "Jeffrey": ("Jeff",),
    "Grace": ("Gracie",),
    "Emily": ("Em", "Emmy"),
    "Lily": ("Lil",),
    "Rosemary": ("Rosie", "Rose"),
    "Rose": ("Rosie",),
    "Millicent": ("Millie",),
    "Alice": ("Ali", "Allie"),
    "Hannah": ("Han",),
    "Sarah": ("Sal",),
    "Emma": ("Em",),
    "Helen": ("Nell",),
    "Rachel": ("Rach",),
    "Laura": ("Laurie",),
    "Gemma": ("Gem",),
    "Christina": ("Kirsty", "Tina"),
    "Anastasia": ("Stacey",),
    "Janet": ("Jan",),
    "Sharon": ("Shaz",),
    "Fiona": ("Fi",),
    "Dolores": ("Lola",),
}
# Short form -> formal name, for the reverse error (a GP registering "Alfie" as "Alfred").
FORMAL: dict[str, tuple[str, ...]] = {}
for _formal, _shorts in NICKNAMES.items():
    for _short in _shorts:
        FORMAL.setdefault(_short, ())
        FORMAL[_short] += (_formal,)

_GIVEN_SPELLINGS = (
    ("Stephen", "Steven"),
    ("Catherine", "Katherine", "Kathryn", "Katharine"),
    ("Philip", "Phillip"),
    ("Isabelle", "Isobel", "Isabel"),
    ("Sophie", "Sophia"),
    ("Zoe", "Zoey"),
    ("Leah", "Lea"),
    ("Layla", "Leila", "Laila"),
    ("Aaliyah", "Aliyah"),
    ("Jayden", "Jaden", "Jaiden"),
    ("Muhammad", "Mohammed", "Mohammad", "Mohamed"),
    ("Hollie", "Holly"),
    ("Megan", "Meghan"),
    ("Lewis", "Louis"),
    ("Sean", "Shaun", "Shawn"),
    ("Geoffrey", "Jeffrey"),
    ("Nicola", "Nichola"),
    ("Claire", "Clare"),
    ("Ellie", "Elly"),
    ("Amy", "Aimee"),
    ("Lacey", "Lacie"),
    ("Caitlin", "Katelyn", "Kaitlyn"),
    ("Niamh", "Neve"),
    ("Bethany", "Bethanie"),
    ("Carl", "Karl"),
    ("Jonathan", "Johnathan", "Jonathon"),
    ("Matthew", "Mathew"),
    ("Tracey", "Tracy"),
    ("Kerry", "Kerri"),
    ("Lindsay", "Lindsey"),
    ("Hayley", "Haley", "Hailey"),
    ("Leanne", "Lianne"),
    ("Ashley", "Ashleigh"),
    ("Anne", "Ann"),
    ("Sarah", "Sara"),
    ("Elliot", "Elliott"),
    ("Isaac", "Isaak"),
    ("Jaxon", "Jackson"),
    ("Rhys", "Reece", "Reese"),
    ("Freya", "Freyja"),
    ("Evie", "Evey"),
    ("Scarlett", "Scarlet"),
    ("Lily-Mae", "Lily Mae", "Lilly-Mae"),
    ("Ellie-Mae", "Ellie Mae", "Elliemae"),
    ("Lily", "Lilly", "Lillie"),
    ("Alfie", "Alfy"),
    ("Freddie", "Freddy"),
    ("Ronnie", "Ronny"),
    ("Teddy", "Teddie"),
    ("Frankie", "Franky"),
    ("Millie", "Milly"),
    ("Maisie", "Maisy", "Maizie"),
    ("Rosie", "Rosy"),
    ("Darren", "Daren"),
    ("Dean", "Deane"),
    ("Jamie", "Jaime"),
    ("Kieran", "Kieron", "Ciaran"),
    ("Connor", "Conor"),
    ("Ryan", "Rian"),
)
_FAMILY_SPELLINGS = (
    ("Clark", "Clarke"),
    ("Thompson", "Thomson"),
    ("Phillips", "Philips"),
    ("Davies", "Davis"),
    ("Smith", "Smyth"),
    ("Reid", "Reed", "Read"),
    ("Gray", "Grey"),
    ("Matthews", "Mathews"),
    ("Stephens", "Stevens"),
    ("McDonald", "Macdonald", "MacDonald"),
    ("Hussain", "Hussein", "Husain"),
    ("Ahmed", "Ahmad"),
    ("Allen", "Allan"),
    ("Brown", "Browne"),
    ("Lloyd", "Loyd"),
    ("Moore", "More"),
    ("Green", "Greene"),
    ("Wood", "Woods"),
    ("Hughes", "Hughs"),
    ("Pearson", "Pierson"),
    ("Griffiths", "Griffith"),
    ("Foster", "Forster"),
    ("Lee", "Leigh", "Lea"),
    ("Johnson", "Johnston", "Jonson"),
    ("Jenkins", "Jenkin"),
    ("Harrison", "Harison"),
    ("Mitchell", "Mitchel"),
    ("Kelly", "Kelley"),
    ("Murphy", "Murphey"),
    ("Richardson", "Richardsen"),
    ("Simpson", "Simson"),
    ("Watson", "Watsen"),
    ("Shaw", "Shore"),
    ("Ward", "Warde"),
    ("Cook", "Cooke"),
    ("Barker", "Barkar"),
    ("O'Brien", "OBrien", "O Brien"),
    ("O'Neill", "ONeill", "O'Neil"),
)


def _variant_table(groups: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in groups:
        for name in group:
            table[name] = tuple(sorted(set(table.get(name, ()) + group) - {name}))
    return table


GIVEN_SPELLINGS = _variant_table(_GIVEN_SPELLINGS)
FAMILY_SPELLINGS = _variant_table(_FAMILY_SPELLINGS)

# British surnames, most frequent first (the head of the distribution).
SURNAMES_HEAD = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson "
    "Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali "
    "Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell "
    "Barker Fisher Stevens Jenkins Murray Dixon Harvey Ahmed Graham Pearson Reid O'Brien "
    "McDonald O'Neill Stephens Johnston Greene"
)
