"""schema.org's type hierarchy, as far as the extractors need it: is a type a Person, an Organization
or a Place, by any of its ancestors?

The tables list each type's parent (schema.org 28, the subtrees of Organization, LocalBusiness and
Place that pages use); a type not listed is matched by its name's ending ("...Business",
"...Organization", "...Store") so newer subtypes still count.
"""

from __future__ import annotations

__all__ = ["ancestors", "is_a"]

_TREE = """
organization: airline consortium corporation educationalorganization fundingscheme governmentorganization
  librarysystem localbusiness medicalorganization ngo newsmediaorganization onlinebusiness performinggroup
  politicalparty project researchorganization searchrescueorganization sportsorganization workersunion
  cooperative
onlinebusiness: onlinestore
performinggroup: dancegroup musicgroup theatergroup
sportsorganization: sportsteam
project: fundingagency researchproject
educationalorganization: collegeoruniversity elementaryschool highschool middleschool preschool school
medicalorganization: dentist diagnosticlab hospital medicalclinic pharmacy physician veterinarycare
localbusiness: animalshelter archiveorganization automotivebusiness childcare dentist drycleaningorlaundry
  emergencyservice employmentagency entertainmentbusiness financialservice foodestablishment
  governmentoffice healthandbeautybusiness homeandconstructionbusiness internetcafe legalservice library
  lodgingbusiness medicalbusiness professionalservice radiostation realestateagent recyclingcenter
  selfstorage shoppingcenter sportsactivitylocation store televisionstation touristinformationcenter
  travelagency
automotivebusiness: autobodyshop autodealer autopartsstore autorental autorepair autowash gasstation
  motorcycledealer motorcyclerepair
entertainmentbusiness: adultentertainment amusementpark artgallery casino comedyclub movietheater nightclub
financialservice: accountingservice automatedteller bankorcreditunion insuranceagency
foodestablishment: bakery barorpub brewery cafeorcoffeeshop distillery fastfoodrestaurant icecreamshop
  restaurant winery
healthandbeautybusiness: beautysalon dayspa hairsalon healthclub nailsalon tattooparlor
homeandconstructionbusiness: electrician generalcontractor hvacbusiness housepainter locksmith movingcompany
  plumber roofingcontractor
legalservice: attorney notary
lodgingbusiness: bedandbreakfast campground hostel hotel motel resort vacationrental
medicalbusiness: communityhealth dermatology dietnutrition emergency geriatric gynecologic medicalclinic
  midwifery nursing obstetric oncologic optician optometric otolaryngologic pediatric physician
  physiotherapy plasticsurgery podiatric primarycare psychiatric publichealth
sportsactivitylocation: bowlingalley exercisegym golfcourse healthclub publicswimmingpool skiresort
  sportsclub stadiumorarena tenniscomplex
store: autopartsstore bikestore bookstore clothingstore computerstore conveniencestore departmentstore
  electronicsstore florist furniturestore gardenstore grocerystore hardwarestore hobbyshop homegoodsstore
  jewelrystore liquorstore mensclothingstore mobilephonestore movierentalstore musicstore
  officeequipmentstore outletstore pawnshop petstore shoestore sportinggoodsstore tireshop toystore
  wholesalestore
governmentorganization: governmentoffice
place: accommodation administrativearea civicstructure landform landmarksorhistoricalbuildings
  localbusiness residence touristattraction touristdestination
administrativearea: city country schooldistrict state
person: patient
"""


def _parents() -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    for parent, children in _entries():
        for child in children:
            parents.setdefault(child, set()).add(parent)
    return parents


def _entries() -> list[tuple[str, list[str]]]:
    out, parent = [], ""
    for line in _TREE.strip().splitlines():
        if not line.startswith(" "):
            parent, _, rest = line.partition(":")
            out.append((parent.strip(), rest.split()))
        else:
            out[-1][1].extend(line.split())
    return out


_PARENTS = _parents()
# "...Service" and "...Group" are left out on purpose: TaxiService is an offer, ProductGroup a product.
_SUFFIXES = {
    "organization": ("organization", "organisation", "business", "store"),
    "person": (),
    "place": ("place", "area", "structure"),
}


def ancestors(name: str) -> set[str]:
    """Every ancestor of a lower-cased schema.org type name, the type itself included."""
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(_PARENTS.get(current, ()))
    return seen


def is_a(name: str, root: str) -> bool:
    """True when the type is `root` or descends from it (by the table, or by a telling name ending)."""
    return root in ancestors(name) or (name not in _PARENTS and name.endswith(_SUFFIXES.get(root, ())))
