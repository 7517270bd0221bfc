"""Plain, factual chronology text: what happened, and what it means for the child.

Written for Hearth (no text from the seeds). Descriptions say what was seen or done, not a
verdict; the impact line names the effect on the child, not "poor home conditions".
"""

# code -> [(description, what this means for the child)]; {n} is filled with a small number.
TEXTS: dict[str, list[tuple[str, str]]] = {
    "referral-received": [
        (
            "Referral received from a partner agency about the care of the children at home.",
            "Concerns about the children's basic care have reached the threshold for a social-care response.",
        ),
        (
            "Contact received at the front door reporting that the children were not being properly looked after.",
            "Another agency is worried enough to ask children's social care to act.",
        ),
    ],
    "referral-from-housing": [
        (
            "Housing officer raised a safeguarding concern after an inspection: rubbish bags in the hallway, no working cooker, dog faeces on the kitchen floor.",
            "The children are living with hazards to their health and have no hot meals cooked at home.",
        ),
        (
            "Housing provider reported rent arrears of {n} months and a notice seeking possession.",
            "The family may lose their home; the children face another move and change of school.",
        ),
    ],
    "missed-health-appointment": [
        (
            "Child not brought to a booked appointment. This is the {n}th missed appointment this year.",
            "The child's health needs are not being checked or treated.",
        ),
        (
            "Child not brought to the paediatric outpatient follow-up; letter sent to the parent.",
            "A known health condition is going unmonitored.",
        ),
    ],
    "missed-immunisation": [
        (
            "Child's immunisations {n} months overdue; parent did not respond to three reminders.",
            "The child is unprotected against preventable illness.",
        ),
    ],
    "untreated-dental-decay": [
        (
            "School nurse saw visible decay in {n} teeth; the child said their mouth hurts when eating.",
            "The child is in pain every day and is eating less.",
        ),
    ],
    "faltering-growth": [
        (
            "Weight has dropped from the 50th to the 9th centile over {n} months.",
            "The child is not getting enough food to grow.",
        ),
    ],
    "ae-attendance": [
        (
            "Child brought to A&E with a minor injury; treated and discharged.",
            "A single attendance: noted so that a pattern would be visible.",
        ),
        (
            "Child brought to urgent care at night with a high temperature that had lasted {n} days.",
            "Medical help was sought late; the child was unwell for days without treatment.",
        ),
    ],
    "accidental-injury": [
        (
            "Child treated for a burn from a hair straightener left on the floor.",
            "The child was not supervised around a known hazard.",
        ),
        (
            "Toddler found to have swallowed tablets left within reach; kept in overnight for observation.",
            "Medicines in the home are not kept away from the children.",
        ),
    ],
    "left-unsupervised": [
        (
            "Police found the children at home alone at 22:30; the eldest is {n} years old.",
            "The children were left without an adult and were frightened.",
        ),
    ],
    "domestic-abuse-incident": [
        (
            "Police attended a report of shouting and a smashed window; the children were in the house.",
            "The children heard the violence and were scared to go downstairs.",
        ),
        (
            "Domestic abuse incident between the mother and her partner; risk assessed as medium.",
            "The children are living with fear and conflict at home.",
        ),
    ],
    "police-welfare-check": [
        (
            "Welfare check at the address after a neighbour's call; no adult answered for {n} minutes.",
            "Nobody could confirm who was looking after the children that evening.",
        ),
    ],
    "parental-substance-misuse": [
        (
            "Parent attended the service smelling of alcohol; reports drinking daily.",
            "The children's carer may not be able to respond to them, especially at night.",
        ),
        (
            "Cannabis smell in the home during a visit; parent said it was a visitor's.",
            "The children are exposed to drug use and to adults under the influence.",
        ),
    ],
    "parental-mental-health": [
        (
            "Mother seen by the crisis team after saying she could not cope; medication reviewed.",
            "The children's main carer is unwell and may not be able to meet their needs.",
        ),
    ],
    "child-distress": [
        (
            "Child cried when asked about home and said they did not want to go back at the end of the day.",
            "The child does not feel safe or comfortable at home.",
        ),
        (
            "Child has become withdrawn in class and is not playing with friends.",
            "The child's emotional wellbeing is declining.",
        ),
    ],
    "school-absence": [
        (
            "Attendance this term is {n}0%; no reasons given for most absences.",
            "The child is missing learning and the daily contact with adults who check they are well.",
        ),
    ],
    "late-to-school": [
        (
            "Child late {n} times this half-term, arriving without breakfast.",
            "The child starts the day hungry and misses the start of lessons.",
        ),
        (
            "Child not collected at the end of the day on {n} occasions this month.",
            "The child waits, unsure whether anyone is coming for them.",
        ),
    ],
    "ehe-registered": [
        (
            "Parent withdrew the child from school for elective home education after the attendance meeting.",
            "No professional now sees the child regularly; the child's voice is harder to hear.",
        ),
    ],
    "child-hungry": [
        (
            "Child asked staff for food and ate two breakfasts at breakfast club.",
            "The child is regularly hungry.",
        ),
    ],
    "poor-hygiene": [
        (
            "Child came to school in the same clothes all week; clothes smelt of urine; shoes too small.",
            "Other children avoid sitting with the child; the child's feet hurt.",
        ),
        (
            "Nappy rash severe and untreated at the health visitor's check.",
            "The baby is sore and in discomfort much of the time.",
        ),
    ],
    "home-conditions": [
        (
            "Kitchen floor covered in rubbish and food waste; the children's mattresses were wet and had no bedding.",
            "The children sleep on wet mattresses and live among rotting food.",
        ),
        (
            "Strong smell of urine and dog faeces in the living room; exposed wiring in the hallway; a fire hazard.",
            "The home is unsafe and unhygienic for the children.",
        ),
    ],
    "animal-welfare": [
        (
            "Animal welfare officer found two dogs underweight and kept in a faeces-covered yard.",
            "Animals in the home are neglected; this is known to go with risk to children.",
        ),
    ],
    "closed-non-engagement": [
        (
            "Case closed because the family did not engage with the plan; nothing recorded as having changed.",
            "The children's circumstances are the same as when the work began.",
        ),
    ],
    "home-visit": [
        (
            "Home visit: the children were seen; food in the fridge; beds made up.",
            "On this visit the children's basic needs were being met.",
        ),
        (
            "Home visit: no answer; a child was heard inside. Card left.",
            "The children were not seen; how they are is unknown.",
        ),
        (
            "Routine developmental review completed at home.",
            "The child's development was checked and discussed with the parent.",
        ),
    ],
    "child-seen-alone": [
        (
            "Child seen alone at school and asked about home using the 'day in my life' tool.",
            "The child's own account of home life is recorded.",
        ),
    ],
    "strategy-discussion": [
        (
            "Strategy discussion held; agreed to start a section 47 enquiry.",
            "Agencies agree the children may be suffering significant harm.",
        ),
    ],
    "assessment-completed": [
        (
            "Child and family assessment completed and authorised.",
            "The children's needs and the parents' capacity to meet them are set out.",
        ),
    ],
    "icpc": [
        (
            "Initial child protection conference held; children made subject to child protection plans.",
            "A multi-agency plan now sets out what must change for the children to be safe.",
        ),
    ],
    "cp-review": [
        (
            "Review child protection conference held; plan continues; {n} actions outstanding.",
            "Change for the children is slower than the plan expected.",
        ),
        (
            "Review child protection conference held; progress noted on school attendance.",
            "Some improvement in the children's daily routine.",
        ),
    ],
    "core-group": [
        (
            "Core group met; parent did not attend.",
            "The plan for the children cannot move on without the parent's involvement.",
        ),
        (
            "Core group met; home conditions reviewed against the written agreement.",
            "Professionals are checking whether the children's home has improved.",
        ),
    ],
    "plan-started": [
        (
            "Plan started for the children with named actions and review dates.",
            "The children have an agreed plan of support.",
        ),
    ],
    "plan-ended": [
        (
            "Plan ended at review; case stepped down.",
            "The children will have less contact with professionals from now on.",
        ),
    ],
    "early-help-started": [
        (
            "Early help support started with a family worker; parenting course offered.",
            "The family has support below the statutory threshold.",
        ),
    ],
    "information-shared": [
        (
            "Information shared with the allocated worker about the family's recent contact with the service.",
            "Agencies hold the same picture of the child's circumstances.",
        ),
        (
            "Adult seen at the practice; note added to the family's records that there are children in the household.",
            "The adult's health is linked to the children's care.",
        ),
    ],
    "positive-change": [
        (
            "Attendance improved to {n}0% this half-term; child has joined an after-school club.",
            "The child is in school more and is making friends.",
        ),
        (
            "Parent attended every session of the parenting programme.",
            "The parent is taking up support that could improve the children's care.",
        ),
    ],
}
