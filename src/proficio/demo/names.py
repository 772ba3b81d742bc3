"""Names for the demo's people, as varied as the families of a real public school district."""

CHILD_FIRST_NAMES = (
    "Aaliyah", "Abdi", "Adaeze", "Aiden", "Alejandro", "Amani", "Amelia", "Anaya", "Andrés",
    "Anika", "Arjun", "Ava", "Ayaan", "Ayesha", "Bao", "Beatriz", "Benjamin", "Camila",
    "Chidi", "Chloe", "Daniela", "Darius", "Deja", "Diego", "Dmitri", "Eitan", "Elif", "Eliana",
    "Elijah", "Emeka", "Emilia", "Esperanza", "Ethan", "Fatima", "Finn", "Gabriel", "Grace",
    "Hamza", "Hana", "Hiroshi", "Ibrahim", "Imani", "Isabela", "Isaiah", "Jamal", "Javier",
    "Jaylen", "Jia", "Jonah", "Josiah", "Kai", "Kalani", "Kavya", "Keanu", "Kenji", "Khadija",
    "Kiara", "Laila", "Leah", "Leilani", "Liam", "Lucía", "Luka", "Malia", "Marcus", "Mariam",
    "Mateo", "Maya", "Mei", "Mia", "Mohammed", "Nadia", "Naledi", "Nia", "Nikhil", "Noah",
    "Nora", "Oliver", "Olivia", "Omar", "Oscar", "Priya", "Quinn", "Rafael", "Rahul", "Reza",
    "Riley", "Rohan", "Rosa", "Ruby", "Saanvi", "Samir", "Santiago", "Sara", "Seo-yeon",
    "Sienna", "Sofia", "Soraya", "Tariq", "Tatiana", "Thandiwe", "Theo", "Tiana", "Valentina",
    "Wei", "Xavier", "Yara", "Yusuf", "Zainab", "Zara", "Zoe", "Zion",
)  # fmt: skip

ADULT_FIRST_NAMES = (
    "Abena", "Adrian", "Ahmed", "Alicia", "Ana", "Andrea", "Anh", "Bilal", "Carmen", "Carlos",
    "Chen", "Claire", "David", "Deborah", "Destiny", "Eduardo", "Emily", "Erik", "Farah",
    "Gloria", "Hassan", "Helen", "Hyun", "Ifeoma", "Irina", "James", "Jasmine", "Jennifer",
    "Jorge", "Joseph", "Julia", "Kareem", "Karen", "Keisha", "Kwame", "Laura", "Layla", "Lin",
    "Lucia", "Manuel", "Maria", "Mark", "Meera", "Michael", "Miriam", "Monique", "Nam",
    "Nicole", "Olga", "Patrick", "Rachel", "Ramón", "Rania", "Ricardo", "Rukhsana", "Ryan",
    "Samantha", "Sanjay", "Sarah", "Shanice", "Simone", "Stephen", "Sunita", "Teresa",
    "Thomas", "Tuan", "Vanessa", "Victor", "Yolanda", "Yuki",
)  # fmt: skip

LAST_NAMES = (
    "Abdullah", "Adeyemi", "Ahmed", "Alvarez", "Anderson", "Bailey", "Banerjee", "Begay",
    "Bennett", "Brooks", "Castillo", "Chen", "Choi", "Clarke", "Cruz", "Davis", "Diallo",
    "Dubois", "Edwards", "Evans", "Farah", "Fernández", "Fischer", "Flores", "Garcia",
    "Gonzalez", "Greene", "Gupta", "Haddad", "Hall", "Hassan", "Hernández", "Hill", "Ho",
    "Hughes", "Ibrahim", "Ito", "Jackson", "Jensen", "Johnson", "Kaur", "Khan", "Kim",
    "Kowalski", "Kumar", "Le", "Lee", "Lewis", "Lin", "Lopez", "Mahmoud", "Martin",
    "Martinez", "Mendoza", "Mensah", "Mitchell", "Moreno", "Morris", "Murphy", "Nakamura",
    "Nguyen", "Novak", "Nwosu", "O'Brien", "Ortiz", "Owens", "Park", "Patel", "Perez",
    "Petrov", "Phillips", "Ramirez", "Reddy", "Reyes", "Rivera", "Robinson", "Rodriguez",
    "Romero", "Rossi", "Said", "Sanchez", "Santos", "Schmidt", "Shah", "Silva", "Singh",
    "Smith", "Sullivan", "Tanaka", "Taylor", "Thomas", "Torres", "Tran", "Turner", "Vargas",
    "Vasquez", "Walker", "Wang", "Washington", "Williams", "Wilson", "Wright", "Wu", "Yamamoto",
    "Yilmaz", "Young", "Zhang",
)  # fmt: skip
