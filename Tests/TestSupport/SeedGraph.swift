/// A small directory drawn from the seeds (000, 002, 003), as import files, for tests across modules.
public enum SeedFixture {
    public static let files = """
    -- areas.csv --
    Code,Name,Kind,Parent,Source
    scotland,Scotland,nation,,public fact
    nhs-greater-glasgow-and-clyde,NHS Greater Glasgow and Clyde,health-board,scotland,public fact
    glasgow-city,Glasgow City,council,nhs-greater-glasgow-and-clyde,public fact
    england,England,nation,,public fact
    london,London,region,england,public fact
    bromley,Bromley,council,london,public fact
    -- levels.csv --
    ID,Area,Name,Order,Ring,Description,Source
    bromley-level-1,bromley,Level 1,1,Universal,Universal services,000 Thresholds of Need
    bromley-level-2,bromley,Level 2,2,Early Help,Early help,000 Thresholds of Need
    bromley-level-3,bromley,Level 3,3,Early Help,Targeted early help,000 Thresholds of Need
    bromley-level-4,bromley,Level 4,4,Child in Need,Tier 4 social work safeguarding and care planning,000 Thresholds of Need
    scotland-universal,scotland,Universal,1,Universal,,004
    scotland-additional,scotland,Additional support,2,Early Help,,004
    scotland-intensive,scotland,Intensive support,3,Child in Need,,004
    scotland-statutory,scotland,Statutory measures,4,Child Protection,,004
    scotland-court,scotland,Court proceedings,5,Court,,002
    -- organisations.csv --
    ID,Name,Sector,Source
    lb-bromley,London Borough of Bromley,social-work,000
    glasgow-social-work,Glasgow City Council Social Work Services,social-work,000
    nhs-ggc,NHS Greater Glasgow and Clyde,health,000
    -- bromley-services.csv --
    Name,Organisation,Area,Levels,Ages,Self-referral?,Referred by,Categories,Sector,Source
    Children and Families Hub,lb-bromley,bromley,Level 4,0-17,no,school; GP; health visitor; police,safeguarding,social-work,000 §Bromley Hub
    Bromley Children Project,lb-bromley,bromley,1-3,0-17,yes,,parenting; poverty and housing,social-work,000 §BCP
    Health visiting,,bromley,1-2,0-5,no,GP; midwife,child health,health,000
    LIFT,,bromley,Level 4,0-5,no,court; social worker,infant mental health,health,000
    -- glasgow-services.csv --
    Name,Organisation,Area,Levels,Ages,Self-referral?,Referred by,Categories,Sector,Source
    Children and Families Duty Team,glasgow-social-work,glasgow-city,Intensive support; Statutory measures,0-17,no,health visitor; GP; police,safeguarding,social-work,000
    GIFT,nhs-ggc,glasgow-city,Statutory measures; Court proceedings,0-5,no,court; social worker,infant mental health,health,000
    Primary Care Mental Health Team,nhs-ggc,glasgow-city,Universal; Additional support,18+,yes,GP,parental mental health,health,000
    Health visiting,nhs-ggc,glasgow-city,Universal; Additional support,pre-birth to 5,no,midwife; GP,child health; perinatal,health,000
    -- routes.csv --
    From,To,Area,Mode,Kind,Source
    Children and Families Hub,Bromley Children Project,bromley,via-front-door,step-down,000 §Bromley Hub
    Health visiting,Bromley Children Project,bromley,professional,referral,000
    health visitor,Bromley Children Project,bromley,professional,referral,000
    Children and Families Duty Team,GIFT,glasgow-city,professional,referral,000
    Health visiting,Children and Families Duty Team,glasgow-city,professional,step-up,000
    Health visiting,Primary Care Mental Health Team,glasgow-city,signposting,referral,000
    """
}
