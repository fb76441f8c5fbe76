/**
 * What a new password may not be built on: the words at the core of the most common passwords in
 * the public breach corpora (the "top 10,000" lists: rockyou, LinkedIn, Adobe and their kin, with
 * the digits and symbols people add stripped off), keyboard walks and sequences, and whole
 * passwords of twelve or more characters that top those lists. {@link passwordProblem} strips
 * affixes of digits and symbols and undoes the usual letter-for-digit swaps before it looks a
 * password up here, so one entry (`password`) covers `P@ssw0rd2024!`, `password123456` and
 * `Password!!!!`.
 * @module
 */

/** Core words of common passwords (lower case, letters only). */
export const COMMON_PASSWORD_WORDS: ReadonlySet<string> = new Set(`
password passwort passwd pass passw0rd motdepasse contrasena senha parola wachtwoord haslo salasana
qwerty qwertz azerty asdf asdfgh asdfghjkl zxcvbn zxcvbnm qwer qwert qwertyuiop qazwsx qwaszx
letmein welcome welcomeback hello hellothere hithere goodbye iloveyou iloveu loveyou lovely loveme
admin administrator root toor superuser sysadmin webmaster manager supervisor support helpdesk
user username login logon guest default changeme changeit secret secretpassword mypassword
test tester testing testtest demo sample example temp temporary newpassword oldpassword nopassword
master mastermind masterkey access accessgranted trustno passpass whatever nothing something
monkey dragon shadow sunshine princess football baseball basketball soccer hockey golf tennis
superman batman spiderman ironman starwars startrek pokemon naruto matrix hunter ranger killer
michael jennifer jessica michelle ashley daniel thomas charlie jordan andrew robert william
joshua matthew anthony christopher nicole amanda melissa samantha elizabeth stephanie heather
justin george harley hannah maggie buster ginger pepper cookie coffee chocolate cheese banana
orange apple cherry summer winter spring autumn flower flowers freedom liberty america canada
london paris berlin germany england france australia mexico brazil india china russia
purple yellow silver golden diamond crystal rainbow butterfly tigger tiger lion eagle falcon
mustang ferrari porsche mercedes corvette harleydavidson yamaha honda toyota
computer internet google facebook twitter instagram microsoft windows linux apple iphone samsung
server network database system security firewall cisco oracle
love lover sweet sweetheart babygirl baby angel angels jesus christ god heaven blessed faith
family forever friends friend together happy smile beautiful pretty sexy hottie
money dollar cash rich lucky luckyme winner champion victory legend hero
thunder lightning storm fire water earth ocean river mountain forest
football soccer chelsea arsenal liverpool barcelona realmadrid juventus manchester united
qwerty asdfasdf zaq xsw cde vfr bgt nhy mju
abc abcd abcde abcdef abcdefg abcdefgh xyz
aaa aaaa zzz
one two three onetwothree
letmeinnow opensesame open sesame
switchboard console agent agents operator customer service customerservice
company business office work worker employee staff team
whatsapp telegram messenger viber chat chatbot bot
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
princess sunflower starlight moonlight midnight
passwordpassword adminadmin rootroot useruser
`.split(/\s+/).filter((w) => w !== ''));

/**
 * Whole passwords of at least twelve characters from the top of the breach lists (lower case),
 * for the ones the word rules above do not already catch.
 */
export const COMMON_LONG_PASSWORDS: ReadonlySet<string> = new Set(`
1q2w3e4r5t6y 1q2w3e4r5t6y7u8i 1qaz2wsx3edc 1qaz2wsx3edc4rfv qazwsxedcrfv qazwsxedcrfvtgb
zaq12wsxcde3 zaq1zaq1zaq1 1qazxsw23edc q1w2e3r4t5y6 a1b2c3d4e5f6 a1s2d3f4g5h6
123qweasdzxc qweasdzxc123 123456qwerty qwerty123456 qwertyuiop123 123456abcdef abcdef123456
147258369147 159357159357 741852963741 123654789123 147852369147 963852741963
123123123123 121212121212 112233445566 111222333444 123321123321 987654321987
aa123456789a a123456789012 1234567890qwe 1234567890abc abc1234567890
iloveyou1234 password1234 password12345 password123456 passw0rd1234 letmein12345
trustno1trustno1 welcome12345 welcome123456 changeme1234 admin1234567 administrator1
qwertyqwerty asdfghjkl123 asdfasdfasdf zxcvbnm12345 zxcvbnmasdfghjkl
`.split(/\s+/).filter((w) => w !== ''));

/**
 * Sequences whose stretches are trivial to guess: alphabets, digits and keyboard rows and walks
 * (QWERTY, QWERTZ, AZERTY), each written twice so a stretch may wrap around.
 */
export const TRIVIAL_SEQUENCES: readonly string[] = [
  'abcdefghijklmnopqrstuvwxyz', '0123456789', '1234567890',
  'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qwertyuiopasdfghjklzxcvbnm', 'qwertzuiopasdfghjklyxcvbnm', 'azertyuiopqsdfghjklmwxcvbn',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p', 'qazwsxedcrfvtgbyhnujmikolp', '1q2w3e4r5t6y7u8i9o0p', 'q1w2e3r4t5y6u7i8o9p0',
  'zaq1xsw2cde3vfr4bgt5nhy6mju7', '!@#$%^&*()', '`1234567890-=', 'qweasdzxc', 'poiuytrewq', 'lkjhgfdsa', 'mnbvcxz',
].map((s) => s.repeat(Math.max(2, Math.ceil(64 / s.length))));
