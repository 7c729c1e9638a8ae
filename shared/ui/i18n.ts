/**
 * The hosted pages' catalogues (docs/specs/hosted-ui.md §8): one per locale, keyed by stable
 * message ids, `{name}` placeholders. English follows Pow's texts where Pow has one (they are the
 * API's `messages`). `en-XA` (accented, longer, bracketed) and `ar-XB` (right-to-left) are
 * generated from English and served only with `AUTH_UI_PSEUDO_LOCALES=true`.
 */
import { match } from '@formatjs/intl-localematcher';
import { IntlMessageFormat } from 'intl-messageformat';
import { USER_LOCALES } from '../domain/locales.js';
import { messages } from '../domain/messages.js';

const en = {
  'layout.skip': 'Skip to main content',
  'layout.language': 'Language',
  'layout.signOut': 'Sign out',
  'layout.title': '{page} – {app}',
  'layout.account': 'Account',
  'layout.sessions': 'Sessions',
  'summary.title': 'There is a problem',
  'field.error': 'Error:',
  'field.email': 'Email address',
  'field.password': 'Password',
  'field.passwordConfirmation': 'Confirm password',
  'field.currentPassword': 'Current password',
  'field.newPassword': 'New password',
  'field.newEmail': 'New email address',
  'field.rememberMe': 'Remember me on this device',
  'field.showPassword': 'Show password',
  'signIn.title': 'Sign in',
  'signIn.submit': 'Sign in',
  'signIn.signUp': 'Create an account',
  'signIn.forgot': 'Forgot your password?',
  'signIn.resend': 'Resend the confirmation email',
  'signUp.title': 'Create an account',
  'signUp.submit': 'Create account',
  'signUp.signIn': 'Already have an account? Sign in',
  'checkMail.title': 'Check your email',
  'checkMail.registered': messages.registrationPending,
  'checkMail.reset': messages.passwordResetRequested,
  'checkMail.resent': messages.confirmationResent,
  'forgot.title': 'Reset your password',
  'forgot.intro': 'Enter the email address of your account and we will send you a link to choose a new password.',
  'forgot.submit': 'Send the link',
  'resend.title': 'Resend the confirmation email',
  'resend.submit': 'Send it again',
  'confirm.title': 'Confirm your email address',
  'confirm.intro': 'Press the button to confirm the email address of your account.',
  'confirm.submit': 'Confirm',
  'confirmed.title': 'Email address confirmed',
  'confirmed.body': 'Thank you: {email} is confirmed.',
  'invalidLink.title': 'This link does not work',
  'invalidLink.body': messages.invalidToken,
  'invalidLink.again': 'Ask for a new link',
  'reset.title': 'Choose a new password',
  'reset.intro': 'Choose a new password for {email}.',
  'reset.submit': 'Set the password',
  'resetDone.title': 'Password updated',
  'resetDone.body': messages.passwordResetDone,
  'invitation.title': 'Accept your invitation',
  'invitation.intro': 'You have been invited with the address {email}. Choose a password to finish.',
  'invitation.submit': 'Accept and sign in',
  'mfa.title': 'Enter your code',
  'mfa.intro': 'Enter the code from your authenticator app, or one of your recovery codes.',
  'mfa.timeLimit': 'You have {minutes} minutes to finish signing in. After that, start again.',
  'mfa.submit': 'Continue',
  'mfa.startAgain': 'Start again',
  'field.code': 'Code',
  'error.invalidCode': 'The code is invalid or has already been used.',
  'account.title': 'Your account',
  'account.signedInAs': 'Signed in as {email}.',
  'account.pending': 'Waiting for confirmation: {email}',
  'account.saved': 'Your changes have been saved.',
  'account.emailTitle': 'Change your email address',
  'account.emailSubmit': 'Change email address',
  'account.passwordTitle': 'Change your password',
  'account.passwordSubmit': 'Change password',
  'account.deleteTitle': 'Delete your account',
  'account.deleteWarning': 'This deletes your account and signs you out everywhere. It cannot be undone.',
  'account.deleteSubmit': 'Delete my account',
  'deleted.title': 'Account deleted',
  'deleted.body': 'Your account has been deleted.',
  'sessions.title': 'Your sessions',
  'sessions.intro': 'These devices are signed in to your account.',
  'sessions.current': 'This device',
  'sessions.device': 'Device',
  'sessions.lastUsed': 'Last used',
  'sessions.signedIn': 'Signed in',
  'sessions.unknownDevice': 'Unknown device',
  'sessions.revoke': 'Sign out this device',
  'sessions.revokeAll': 'Sign out everywhere',
  'sessions.revoked': 'The device has been signed out.',
  'signedOut.title': 'Signed out',
  'signedOut.body': 'You have been signed out.',
  'common.backToSignIn': 'Go to sign in',
  'error.invalidCredentials': messages.invalidCredentials,
  'error.locked': messages.accountLocked,
  'error.notConfirmed': messages.emailNotConfirmed,
  'error.tooManyAttempts': 'Too many failed sign-in attempts. Please try again in {seconds} seconds.',
  'error.breached': 'This password has appeared in a data breach, so it cannot be used to sign in. We have sent you an email to choose a new one.',
  'error.unavailable': 'The service is unavailable. Please try again in a moment.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.field.blank': "can't be blank",
  'error.field.invalidFormat': 'has invalid format',
  'error.field.taken': 'has already been taken',
  'error.field.tooShort': 'should be at least {n} character(s)',
  'error.field.tooLong': 'should be at most {n} character(s)',
  'error.field.mismatch': 'does not match confirmation',
  'error.field.tooCommon': 'is too common; choose a less common password',
  'error.field.contextWord': 'is too similar to your e-mail address or the name of this service',
  'error.field.breached': 'has appeared in a data breach',
  'error.field.invalid': 'is invalid',
  'notFound.title': 'Page not found',
  'notFound.body': 'There is no page at this address. Check the address, or start again from the sign-in page.',
  'csrf.title': 'This form has expired',
  'csrf.body': 'For your security the form was not sent. Go back, reload the page and try again.',
  'failure.title': 'Something went wrong',
  'failure.body': 'Please try again. If it keeps happening, quote this reference to support: {reference}',
  'tooLarge.title': 'The form is too large',
  'tooLarge.body': 'What was sent is over the size limit. Go back and shorten it.',
  'unsupported.title': 'This form could not be read',
  'unsupported.body': 'Go back, reload the page and try again.',
  'methodNotAllowed.title': 'This page cannot be used this way',
  'methodNotAllowed.body': 'Use the buttons on the page.',
  // --- the hand-off (docs/specs/hosted-ui.md §6) ---
  'oauth2.error.title': 'This app cannot sign you in here',
  'oauth2.error.unknownClient': 'The app that sent you here is not known to this service. Go back to the app and try again, or contact its support.',
  'oauth2.error.redirectUri':
    'The app that sent you here gave an address this service does not send people back to. Go back to the app and contact its support.',
  'oauth2.error.logoutUri': 'You were not signed out: the app that sent you here gave an address this service does not send people back to.',
  // --- end hand-off ---
  // --- uisec: security, step-up and activity pages, the page script ---
  'layout.security': 'Security',
  'layout.activity': 'Activity',
  'passkey.failed': 'The passkey did not work. Try again, or use another way.',
  'copy.label': 'Copy',
  'copy.done': 'Copied',
  'signIn.passkey': 'Sign in with a passkey',
  'mfa.passkey': 'Use a passkey',
  'reauth.title': 'Confirm it is you',
  'reauth.intro': 'For your security, confirm it is you before you change how you sign in.',
  'reauth.codeHint': 'A code from your authenticator app, or one of your recovery codes.',
  'reauth.submit': 'Confirm',
  'reauth.passkey': 'Confirm with a passkey',
  'reauth.provider': 'Confirm with {provider}',
  'reauth.signInAgain': 'Sign out and sign in again to continue.',
  'security.title': 'Security',
  'security.sections': 'On this page',
  'security.activityLink': 'See recent activity on your account',
  'security.mustEnrol': 'Your account needs a second factor. Set up an authenticator app or add a passkey to continue.',
  'security.twoFactorTitle': 'Two-factor authentication',
  'security.twoFactorOn': 'Two-factor authentication is on.',
  'security.twoFactorOff': 'Two-factor authentication is off.',
  'security.totpTitle': 'Authenticator app',
  'security.totpOn': 'An authenticator app was set up on {date}.',
  'security.totpOff': 'No authenticator app is set up.',
  'security.totpSetUp': 'Set up an authenticator app',
  'security.totpDisable': 'Turn off the authenticator app',
  'security.totpEnabled': 'The authenticator app is set up.',
  'security.totpDisabled': 'The authenticator app has been turned off. Other devices were signed out.',
  'security.codesTitle': 'Recovery codes',
  'security.codesLeft': 'Recovery codes left: {count}',
  'security.codesRegenerate': 'Make new recovery codes',
  'security.passkeysTitle': 'Passkeys',
  'security.noPasskeys': 'You have no passkeys.',
  'security.created': 'Added',
  'security.never': 'Never',
  'security.passkeyName': 'Name of passkey “{name}”',
  'security.passkeyDisabled': 'This passkey has been disabled because it may have been copied.',
  'security.passkeyRename': 'Rename',
  'security.passkeyRemove': 'Remove',
  'security.passkeyRenamed': 'The passkey has been renamed.',
  'security.passkeyRemoved': 'The passkey has been removed.',
  'security.newPasskeyName': 'Name of the new passkey (optional)',
  'security.passkeyAdd': 'Add a passkey',
  'security.passkeyNeedsScript': 'Adding a passkey needs JavaScript in your browser.',
  'security.providersTitle': 'Linked accounts',
  'security.noProviders': 'No other accounts are linked.',
  'security.providerUnlink': 'Unlink {provider}',
  'security.providerLink': 'Link your {provider} account',
  'security.providerUnlinked': 'The account has been unlinked.',
  'security.passwordTitle': 'Password',
  'security.passwordSet': 'You sign in with a password.',
  'security.passwordChange': 'Change your password',
  'security.passwordRemove': 'Remove the password',
  'security.passwordRemoved': 'The password has been removed. Other devices were signed out.',
  'security.noPassword': 'You have no password. You can set one through a link we email to you.',
  'security.passwordSetLink': 'Email me a link to set a password',
  'security.passwordMailSent': 'We have emailed you a link to set a password.',
  'security.back': 'Back to security',
  'security.error.lastMethod': 'This is your last way to sign in, so it cannot be removed.',
  'security.error.mfaRequired': 'Your account needs a second factor, so the last one cannot be removed.',
  'security.error.alreadyEnabled': 'This is already set up.',
  'security.error.mfaNotEnabled': 'Two-factor authentication is off, so there are no recovery codes.',
  'security.error.gone': 'This no longer exists. The page shows what is left.',
  'security.error.enrolmentExpired': 'The setup has expired. Start again.',
  'totp.title': 'Set up an authenticator app',
  'totp.intro': 'An authenticator app on your phone makes a new code every 30 seconds. You enter it when you sign in.',
  'totp.start': 'Continue',
  'totp.enrolTitle': 'Scan the QR code',
  'totp.step1': 'Open your authenticator app and add an account.',
  'totp.step2': 'Scan the QR code, or enter the key below.',
  'totp.step3': 'Enter the 6-digit code the app shows.',
  'totp.qrAlt': 'QR code to scan with your authenticator app',
  'totp.manual': 'Key to enter by hand:',
  'totp.confirm': 'Turn on',
  'totp.timeLimit': 'You have {minutes} minutes to finish. After that, start again.',
  'codes.title': 'Your recovery codes',
  'codes.afterTotp': 'The authenticator app is set up. Save these recovery codes now.',
  'codes.regenerated': 'New recovery codes were made; the old ones no longer work.',
  'codes.keep': 'Each code works once, when you cannot use your second factor. Keep them somewhere safe, such as a password manager.',
  'codes.print': 'Print',
  'codes.once': 'These codes are shown only now. You will not see them again.',
  'codes.done': 'I have saved my codes',
  'activity.title': 'Recent activity',
  'activity.intro': 'Sign-ins and changes to your account, newest first. Times are in UTC.',
  'activity.none': 'Nothing has happened yet.',
  'activity.failed': 'failed',
  'activity.when': 'When',
  'activity.ip': 'IP address',
  'activity.by': 'By',
  'activity.pages': 'Pages',
  'activity.newest': 'Newest',
  'activity.older': 'Older',
  // --- brand: mails (hosted-ui.md §8, the same catalogue as the pages) and the account page's language form ---
  'mail.link.resetPassword': 'Reset your password',
  'mail.notYou.reset': "If it wasn't you, reset your password at once and contact us.",
  'mail.confirmEmail.subject': 'Confirm your e-mail address',
  'mail.confirmEmail.body': 'Please confirm your e-mail address by following the link below.',
  'mail.confirmEmail.ignore': "If you didn't ask for this, ignore this mail.",
  'mail.confirmEmail.link': 'Confirm e-mail address',
  'mail.alreadyRegistered.subject': 'You already have an account',
  'mail.alreadyRegistered.body': 'Someone tried to register with this e-mail address, which already has an account.',
  'mail.alreadyRegistered.advice': "If it was you, sign in instead, or reset your password if you forgot it. If it wasn't you, ignore this mail.",
  'mail.lockedOut.subject': 'Sign-in to your account is paused',
  'mail.lockedOut.body': 'There were {failures} failed sign-in attempts for your account, so signing in is paused for the next {minutes} minute(s).',
  'mail.lockedOut.advice':
    "If it was you, wait and try again, or reset your password if you forgot it. If it wasn't you, someone may be guessing your password: your account is safe as long as it is a strong one.",
  'mail.invitation.subject': "You've been invited",
  'mail.invitation.body': 'You have been invited to create an account. Follow the link below to choose your password.',
  'mail.invitation.validUntil': "The invitation is valid until {expiresAt}. If you don't want an account, ignore this mail.",
  'mail.invitation.link': 'Accept invitation',
  'mail.emailChangeRequested.subject': 'Your e-mail address is about to change',
  'mail.emailChangeRequested.body':
    'Someone asked to change the e-mail address of your account to {newEmail}. The change happens only when the link sent to that address is used.',
  'mail.emailChangeRequested.advice':
    "If it wasn't you, sign in and change your password, and send your current address back as your e-mail to cancel the change.",
  'mail.emailChanged.subject': 'Your e-mail address was changed',
  'mail.emailChanged.body': 'The e-mail address of your account was changed to {newEmail}.',
  'mail.resetPassword.subject': 'Reset your password',
  'mail.resetPassword.body': 'Someone asked to reset the password of your account. The link below works once, for {validForMinutes} minutes.',
  'mail.resetPassword.ignore': "If you didn't ask for this, ignore this mail: your password stays as it is.",
  'mail.breached.subject': 'Your password has appeared in a data breach',
  'mail.breached.body':
    'Your account was just signed in to with a password that appears in a list of passwords published after data breaches. Nothing else is known: not which breach, nor whether your account itself was affected. But attackers try the passwords on these lists first.',
  'mail.breached.advice':
    "Please choose a new password that you use nowhere else: sign in and change it in your account settings, or use the link below to get a reset link by mail. If it wasn't you who signed in, reset your password at once.",
  'mail.breached.link': 'Choose a new password',
  'mail.mfaEnabled.subject': 'Two-factor authentication is on',
  'mail.mfaEnabled.body':
    'Two-factor authentication was turned on for your account: signing in now asks for a code from your authenticator app, or a recovery code.',
  'mail.mfaEnabled.advice': "If it wasn't you, someone has your password and access to your account: reset your password at once and contact us.",
  'mail.mfaDisabled.subject': 'Two-factor authentication is off',
  'mail.mfaDisabled.body':
    'Two-factor authentication was turned off for your account: signing in now needs only your password. Your recovery codes no longer work.',
  'mail.mfaDisabled.advice': "If it wasn't you, reset your password at once, turn two-factor authentication back on and contact us.",
  'mail.recoveryCodeUsed.subject': 'A recovery code was used',
  'mail.recoveryCodeUsed.body':
    'One of your recovery codes was just used to sign in or confirm it is you. {remaining, plural, =0 {No unused codes remain.} one {# unused code remains.} other {# unused codes remain.}}',
  'mail.recoveryCodeUsed.runningOut': 'You are running out of recovery codes: sign in and generate new ones in your account settings.',
  'mail.recoveryCodesRegenerated.subject': 'New recovery codes',
  'mail.recoveryCodesRegenerated.body': 'New recovery codes were generated for your account. The old ones no longer work.',
  'mail.mfaLockedOut.subject': 'Two-factor sign-in paused',
  'mail.mfaLockedOut.body':
    'Your password was entered, but the second step failed {failures} times. Two-factor codes for your account are refused for the next {minutes} minutes.',
  'mail.mfaLockedOut.advice': "If it wasn't you, someone knows your password: reset it at once.",
  'mail.mfaReset.subject': 'Two-factor authentication was reset',
  'mail.mfaReset.body':
    'An administrator removed every second factor of your account (authenticator app, passkeys and recovery codes) and signed you out everywhere.',
  'mail.mfaReset.advice': 'Sign in and set up two-factor authentication again. If you did not ask for this, contact us.',
  'mail.passkeyAdded.subject': 'A passkey was added',
  'mail.passkeyAdded.body': 'A passkey ("{name}") was added to your account: it can now be used to sign in.',
  'mail.passkeyRemoved.subject': 'A passkey was removed',
  'mail.passkeyRemoved.body': 'A passkey ("{name}") was removed from your account: it no longer signs you in.',
  'mail.passkeyDisabled.subject': 'A passkey was disabled',
  'mail.passkeyDisabled.body':
    'Your passkey "{name}" was just used with a signature counter lower than before, which can mean the authenticator was copied. It has been disabled and no longer signs you in.',
  'mail.passkeyDisabled.advice':
    'Remove it in your account settings and add your authenticator again. If you did not try to sign in, reset your password and contact us.',
  'mail.passwordRemoved.subject': 'Your password was removed',
  'mail.passwordRemoved.body': 'The password of your account was removed: you now sign in with a passkey. Other sessions were signed out.',
  'mail.passwordRemoved.advice': "If it wasn't you, reset your password at once (this sets a new one) and contact us.",
  'mail.identityLinked.subject': 'Your {provider} account was linked',
  'mail.identityLinked.body': 'Your {provider} account was linked to your account: it can now be used to sign in.',
  'mail.identityUnlinked.subject': 'Your {provider} account was unlinked',
  'mail.identityUnlinked.body': 'Your {provider} account was unlinked from your account: it no longer signs you in.',
  'account.languageTitle': 'Language',
  'account.languageIntro': 'The language of these pages and of the emails we send you.',
  'account.languageSubmit': 'Save language',
  'field.locale': 'Language',
  // --- end brand ---
  // --- uioauth: provider pages (hosted-ui §5.1) ---
  'oauth.signInWith': 'Sign in with {provider}',
  'oauth.or': 'Or sign in with',
  'oauth.error.title': 'Sign-in with the provider failed',
  'oauth.error.failed': "Something went wrong, and you couldn't be signed in. Please try again.",
  'oauth.error.expired': 'This sign-in has expired or was already used. Please start again.',
  'oauth.error.registrationClosed': 'There is no account for this {provider} account, and new accounts cannot be created this way.',
  'oauth.error.identityTaken': 'The {provider} account is already bound to another user.',
  'oauth.error.alreadyLinked': 'Your account already has another {provider} account linked.',
  'oauth.error.again': 'Try again',
  'oauth.addEmail.title': 'Add your email address',
  'oauth.addEmail.intro': 'Your {provider} account did not share an email address. Enter the address for your account.',
  'oauth.addEmail.submit': 'Continue',
  'oauth.link.title': 'Link your {provider} account',
  'oauth.link.intro': 'An account with this address exists. Sign in to link your {provider} account.',
  'oauth.link.submit': 'Sign in and link',
  // --- end uioauth ---
  // --- uiprov: a provider step-up's code page (hosted-ui §5.2) ---
  'oauth.code.title': 'Enter your code',
  'oauth.code.intro': 'You confirmed it is you with {provider}. Enter a code to finish.',
  'oauth.code.invalid': 'The code you entered is invalid or has already been used. Please confirm it is you again.',
  // --- end uiprov ---
} as const;

export type MessageId = keyof typeof en;
export type Catalogue = Record<MessageId, string>;

const de: Catalogue = {
  'layout.skip': 'Zum Hauptinhalt springen',
  'layout.language': 'Sprache',
  'layout.signOut': 'Abmelden',
  'layout.title': '{page} – {app}',
  'layout.account': 'Konto',
  'layout.sessions': 'Sitzungen',
  'summary.title': 'Es gibt ein Problem',
  'field.error': 'Fehler:',
  'field.email': 'E-Mail-Adresse',
  'field.password': 'Passwort',
  'field.passwordConfirmation': 'Passwort bestätigen',
  'field.currentPassword': 'Aktuelles Passwort',
  'field.newPassword': 'Neues Passwort',
  'field.newEmail': 'Neue E-Mail-Adresse',
  'field.rememberMe': 'Auf diesem Gerät angemeldet bleiben',
  'field.showPassword': 'Passwort anzeigen',
  'signIn.title': 'Anmelden',
  'signIn.submit': 'Anmelden',
  'signIn.signUp': 'Konto erstellen',
  'signIn.forgot': 'Passwort vergessen?',
  'signIn.resend': 'Bestätigungs-E-Mail erneut senden',
  'signUp.title': 'Konto erstellen',
  'signUp.submit': 'Konto erstellen',
  'signUp.signIn': 'Schon ein Konto? Anmelden',
  'checkMail.title': 'Sehen Sie in Ihr Postfach',
  'checkMail.registered': 'Wenn die Adresse registriert werden kann, haben wir ihr eine Nachricht gesendet. Bitte sehen Sie in Ihr Postfach.',
  'checkMail.reset': 'Wenn es ein Konto mit dieser E-Mail-Adresse gibt, erhalten Sie eine E-Mail mit einem Link zum Zurücksetzen des Passworts.',
  'checkMail.resent': 'Wenn es ein Konto mit einer unbestätigten E-Mail-Adresse gibt, haben wir die Bestätigung erneut gesendet.',
  'forgot.title': 'Passwort zurücksetzen',
  'forgot.intro': 'Geben Sie die E-Mail-Adresse Ihres Kontos ein; wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.',
  'forgot.submit': 'Link senden',
  'resend.title': 'Bestätigungs-E-Mail erneut senden',
  'resend.submit': 'Erneut senden',
  'confirm.title': 'E-Mail-Adresse bestätigen',
  'confirm.intro': 'Drücken Sie die Schaltfläche, um die E-Mail-Adresse Ihres Kontos zu bestätigen.',
  'confirm.submit': 'Bestätigen',
  'confirmed.title': 'E-Mail-Adresse bestätigt',
  'confirmed.body': 'Danke: {email} ist bestätigt.',
  'invalidLink.title': 'Dieser Link funktioniert nicht',
  'invalidLink.body': 'Der Link ist ungültig oder abgelaufen.',
  'invalidLink.again': 'Einen neuen Link anfordern',
  'reset.title': 'Neues Passwort wählen',
  'reset.intro': 'Wählen Sie ein neues Passwort für {email}.',
  'reset.submit': 'Passwort festlegen',
  'resetDone.title': 'Passwort geändert',
  'resetDone.body': 'Das Passwort wurde geändert. Bitte melden Sie sich mit dem neuen Passwort an.',
  'invitation.title': 'Einladung annehmen',
  'invitation.intro': 'Sie wurden mit der Adresse {email} eingeladen. Wählen Sie ein Passwort, um abzuschließen.',
  'invitation.submit': 'Annehmen und anmelden',
  'mfa.title': 'Code eingeben',
  'mfa.intro': 'Geben Sie den Code aus Ihrer Authenticator-App oder einen Ihrer Wiederherstellungscodes ein.',
  'mfa.timeLimit': 'Sie haben {minutes} Minuten, um die Anmeldung abzuschließen. Danach beginnen Sie erneut.',
  'mfa.submit': 'Weiter',
  'mfa.startAgain': 'Neu beginnen',
  'field.code': 'Code',
  'error.invalidCode': 'Der Code ist ungültig oder wurde bereits verwendet.',
  'account.title': 'Ihr Konto',
  'account.signedInAs': 'Angemeldet als {email}.',
  'account.pending': 'Wartet auf Bestätigung: {email}',
  'account.saved': 'Ihre Änderungen wurden gespeichert.',
  'account.emailTitle': 'E-Mail-Adresse ändern',
  'account.emailSubmit': 'E-Mail-Adresse ändern',
  'account.passwordTitle': 'Passwort ändern',
  'account.passwordSubmit': 'Passwort ändern',
  'account.deleteTitle': 'Konto löschen',
  'account.deleteWarning': 'Damit wird Ihr Konto gelöscht und Sie werden überall abgemeldet. Das lässt sich nicht rückgängig machen.',
  'account.deleteSubmit': 'Mein Konto löschen',
  'deleted.title': 'Konto gelöscht',
  'deleted.body': 'Ihr Konto wurde gelöscht.',
  'sessions.title': 'Ihre Sitzungen',
  'sessions.intro': 'Diese Geräte sind bei Ihrem Konto angemeldet.',
  'sessions.current': 'Dieses Gerät',
  'sessions.device': 'Gerät',
  'sessions.lastUsed': 'Zuletzt benutzt',
  'sessions.signedIn': 'Angemeldet',
  'sessions.unknownDevice': 'Unbekanntes Gerät',
  'sessions.revoke': 'Dieses Gerät abmelden',
  'sessions.revokeAll': 'Überall abmelden',
  'sessions.revoked': 'Das Gerät wurde abgemeldet.',
  'signedOut.title': 'Abgemeldet',
  'signedOut.body': 'Sie wurden abgemeldet.',
  'common.backToSignIn': 'Zur Anmeldung',
  'error.invalidCredentials': 'Die Anmeldedaten haben nicht funktioniert. Bitte prüfen Sie sie und versuchen Sie es erneut.',
  'error.locked': 'Ihr Konto ist leider gesperrt.',
  'error.notConfirmed': 'Sie müssen Ihre E-Mail-Adresse bestätigen, bevor Sie sich anmelden können. Wir haben eine neue Bestätigungs-E-Mail gesendet.',
  'error.tooManyAttempts': 'Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in {seconds} Sekunden erneut.',
  'error.breached':
    'Dieses Passwort ist in einem Datenleck aufgetaucht und kann nicht zur Anmeldung verwendet werden. Wir haben Ihnen eine E-Mail gesendet, um ein neues zu wählen.',
  'error.unavailable': 'Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.',
  'error.forbidden': 'Das ist Ihnen nicht erlaubt.',
  'error.field.blank': 'darf nicht leer sein',
  'error.field.invalidFormat': 'hat ein ungültiges Format',
  'error.field.taken': 'ist bereits vergeben',
  'error.field.tooShort': 'muss mindestens {n} Zeichen lang sein',
  'error.field.tooLong': 'darf höchstens {n} Zeichen lang sein',
  'error.field.mismatch': 'stimmt nicht mit der Bestätigung überein',
  'error.field.tooCommon': 'ist zu verbreitet; wählen Sie ein selteneres Passwort',
  'error.field.contextWord': 'ähnelt zu sehr Ihrer E-Mail-Adresse oder dem Namen dieses Dienstes',
  'error.field.breached': 'ist in einem Datenleck aufgetaucht',
  'error.field.invalid': 'ist ungültig',
  'notFound.title': 'Seite nicht gefunden',
  'notFound.body': 'Unter dieser Adresse gibt es keine Seite. Prüfen Sie die Adresse oder beginnen Sie erneut bei der Anmeldung.',
  'csrf.title': 'Dieses Formular ist abgelaufen',
  'csrf.body': 'Zu Ihrer Sicherheit wurde das Formular nicht gesendet. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.',
  'failure.title': 'Etwas ist schiefgegangen',
  'failure.body': 'Bitte versuchen Sie es erneut. Wenn es wieder passiert, nennen Sie dem Support diese Referenz: {reference}',
  'tooLarge.title': 'Das Formular ist zu groß',
  'tooLarge.body': 'Die gesendeten Daten überschreiten die Größengrenze. Gehen Sie zurück und kürzen Sie sie.',
  'unsupported.title': 'Dieses Formular konnte nicht gelesen werden',
  'unsupported.body': 'Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.',
  'methodNotAllowed.title': 'Diese Seite kann so nicht benutzt werden',
  'methodNotAllowed.body': 'Benutzen Sie die Schaltflächen auf der Seite.',
  // --- the hand-off (docs/specs/hosted-ui.md §6) ---
  'oauth2.error.title': 'Diese App kann Sie hier nicht anmelden',
  'oauth2.error.unknownClient':
    'Die App, die Sie hierher geschickt hat, ist diesem Dienst nicht bekannt. Gehen Sie zurück zur App und versuchen Sie es erneut, oder wenden Sie sich an deren Support.',
  'oauth2.error.redirectUri':
    'Die App, die Sie hierher geschickt hat, nannte eine Adresse, an die dieser Dienst niemanden zurückschickt. Gehen Sie zurück zur App und wenden Sie sich an deren Support.',
  'oauth2.error.logoutUri':
    'Sie wurden nicht abgemeldet: Die App, die Sie hierher geschickt hat, nannte eine Adresse, an die dieser Dienst niemanden zurückschickt.',
  // --- end hand-off ---
  // --- uisec: security, step-up and activity pages, the page script ---
  'layout.security': 'Sicherheit',
  'layout.activity': 'Aktivität',
  'passkey.failed': 'Der Passkey hat nicht funktioniert. Versuchen Sie es erneut oder wählen Sie einen anderen Weg.',
  'copy.label': 'Kopieren',
  'copy.done': 'Kopiert',
  'signIn.passkey': 'Mit einem Passkey anmelden',
  'mfa.passkey': 'Einen Passkey verwenden',
  'reauth.title': 'Bestätigen Sie, dass Sie es sind',
  'reauth.intro': 'Zu Ihrer Sicherheit bestätigen Sie bitte, dass Sie es sind, bevor Sie Ihre Anmeldung ändern.',
  'reauth.codeHint': 'Ein Code aus Ihrer Authenticator-App oder einer Ihrer Wiederherstellungscodes.',
  'reauth.submit': 'Bestätigen',
  'reauth.passkey': 'Mit einem Passkey bestätigen',
  'reauth.provider': 'Mit {provider} bestätigen',
  'reauth.signInAgain': 'Melden Sie sich ab und erneut an, um fortzufahren.',
  'security.title': 'Sicherheit',
  'security.sections': 'Auf dieser Seite',
  'security.activityLink': 'Letzte Aktivitäten in Ihrem Konto ansehen',
  'security.mustEnrol': 'Ihr Konto braucht einen zweiten Faktor. Richten Sie eine Authenticator-App ein oder fügen Sie einen Passkey hinzu, um fortzufahren.',
  'security.twoFactorTitle': 'Zwei-Faktor-Authentifizierung',
  'security.twoFactorOn': 'Die Zwei-Faktor-Authentifizierung ist eingeschaltet.',
  'security.twoFactorOff': 'Die Zwei-Faktor-Authentifizierung ist ausgeschaltet.',
  'security.totpTitle': 'Authenticator-App',
  'security.totpOn': 'Eine Authenticator-App wurde am {date} eingerichtet.',
  'security.totpOff': 'Es ist keine Authenticator-App eingerichtet.',
  'security.totpSetUp': 'Authenticator-App einrichten',
  'security.totpDisable': 'Authenticator-App ausschalten',
  'security.totpEnabled': 'Die Authenticator-App ist eingerichtet.',
  'security.totpDisabled': 'Die Authenticator-App wurde ausgeschaltet. Andere Geräte wurden abgemeldet.',
  'security.codesTitle': 'Wiederherstellungscodes',
  'security.codesLeft': 'Verbleibende Wiederherstellungscodes: {count}',
  'security.codesRegenerate': 'Neue Wiederherstellungscodes erstellen',
  'security.passkeysTitle': 'Passkeys',
  'security.noPasskeys': 'Sie haben keine Passkeys.',
  'security.created': 'Hinzugefügt',
  'security.never': 'Nie',
  'security.passkeyName': 'Name des Passkeys „{name}“',
  'security.passkeyDisabled': 'Dieser Passkey wurde gesperrt, weil er kopiert worden sein könnte.',
  'security.passkeyRename': 'Umbenennen',
  'security.passkeyRemove': 'Entfernen',
  'security.passkeyRenamed': 'Der Passkey wurde umbenannt.',
  'security.passkeyRemoved': 'Der Passkey wurde entfernt.',
  'security.newPasskeyName': 'Name des neuen Passkeys (optional)',
  'security.passkeyAdd': 'Passkey hinzufügen',
  'security.passkeyNeedsScript': 'Zum Hinzufügen eines Passkeys braucht Ihr Browser JavaScript.',
  'security.providersTitle': 'Verknüpfte Konten',
  'security.noProviders': 'Es sind keine anderen Konten verknüpft.',
  'security.providerUnlink': '{provider} trennen',
  'security.providerLink': 'Ihr {provider}-Konto verknüpfen',
  'security.providerUnlinked': 'Das Konto wurde getrennt.',
  'security.passwordTitle': 'Passwort',
  'security.passwordSet': 'Sie melden sich mit einem Passwort an.',
  'security.passwordChange': 'Passwort ändern',
  'security.passwordRemove': 'Passwort entfernen',
  'security.passwordRemoved': 'Das Passwort wurde entfernt. Andere Geräte wurden abgemeldet.',
  'security.noPassword': 'Sie haben kein Passwort. Sie können eines über einen Link festlegen, den wir Ihnen mailen.',
  'security.passwordSetLink': 'Link zum Festlegen eines Passworts senden',
  'security.passwordMailSent': 'Wir haben Ihnen einen Link zum Festlegen eines Passworts gesendet.',
  'security.back': 'Zurück zur Sicherheit',
  'security.error.lastMethod': 'Das ist Ihre letzte Anmeldemöglichkeit und kann nicht entfernt werden.',
  'security.error.mfaRequired': 'Ihr Konto braucht einen zweiten Faktor; der letzte kann nicht entfernt werden.',
  'security.error.alreadyEnabled': 'Das ist bereits eingerichtet.',
  'security.error.mfaNotEnabled': 'Die Zwei-Faktor-Authentifizierung ist aus; es gibt keine Wiederherstellungscodes.',
  'security.error.gone': 'Das gibt es nicht mehr. Die Seite zeigt, was übrig ist.',
  'security.error.enrolmentExpired': 'Die Einrichtung ist abgelaufen. Beginnen Sie erneut.',
  'totp.title': 'Authenticator-App einrichten',
  'totp.intro': 'Eine Authenticator-App auf Ihrem Telefon erzeugt alle 30 Sekunden einen neuen Code. Sie geben ihn bei der Anmeldung ein.',
  'totp.start': 'Weiter',
  'totp.enrolTitle': 'QR-Code scannen',
  'totp.step1': 'Öffnen Sie Ihre Authenticator-App und fügen Sie ein Konto hinzu.',
  'totp.step2': 'Scannen Sie den QR-Code oder geben Sie den Schlüssel unten ein.',
  'totp.step3': 'Geben Sie den 6-stelligen Code aus der App ein.',
  'totp.qrAlt': 'QR-Code zum Scannen mit Ihrer Authenticator-App',
  'totp.manual': 'Schlüssel zur Eingabe von Hand:',
  'totp.confirm': 'Einschalten',
  'totp.timeLimit': 'Sie haben {minutes} Minuten Zeit. Danach beginnen Sie erneut.',
  'codes.title': 'Ihre Wiederherstellungscodes',
  'codes.afterTotp': 'Die Authenticator-App ist eingerichtet. Speichern Sie jetzt diese Wiederherstellungscodes.',
  'codes.regenerated': 'Neue Wiederherstellungscodes wurden erstellt; die alten gelten nicht mehr.',
  'codes.keep':
    'Jeder Code funktioniert einmal, wenn Sie Ihren zweiten Faktor nicht benutzen können. Bewahren Sie sie sicher auf, etwa in einem Passwort-Manager.',
  'codes.print': 'Drucken',
  'codes.once': 'Diese Codes werden nur jetzt angezeigt. Sie sehen sie nicht wieder.',
  'codes.done': 'Ich habe meine Codes gespeichert',
  'activity.title': 'Letzte Aktivitäten',
  'activity.intro': 'Anmeldungen und Änderungen an Ihrem Konto, die neuesten zuerst. Zeiten in UTC.',
  'activity.none': 'Bisher ist nichts geschehen.',
  'activity.failed': 'fehlgeschlagen',
  'activity.when': 'Wann',
  'activity.ip': 'IP-Adresse',
  'activity.by': 'Durch',
  'activity.pages': 'Seiten',
  'activity.newest': 'Neueste',
  'activity.older': 'Ältere',
  // --- brand: mails and the account page's language form ---
  'mail.link.resetPassword': 'Passwort zurücksetzen',
  'mail.notYou.reset': 'Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück und kontaktieren Sie uns.',
  'mail.confirmEmail.subject': 'Bestätigen Sie Ihre E-Mail-Adresse',
  'mail.confirmEmail.body': 'Bitte bestätigen Sie Ihre E-Mail-Adresse über den Link unten.',
  'mail.confirmEmail.ignore': 'Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail.',
  'mail.confirmEmail.link': 'E-Mail-Adresse bestätigen',
  'mail.alreadyRegistered.subject': 'Sie haben bereits ein Konto',
  'mail.alreadyRegistered.body': 'Jemand hat versucht, sich mit dieser E-Mail-Adresse zu registrieren, zu der es bereits ein Konto gibt.',
  'mail.alreadyRegistered.advice':
    'Wenn Sie das waren, melden Sie sich stattdessen an oder setzen Sie Ihr Passwort zurück, falls Sie es vergessen haben. Wenn nicht, ignorieren Sie diese E-Mail.',
  'mail.lockedOut.subject': 'Die Anmeldung bei Ihrem Konto ist pausiert',
  'mail.lockedOut.body':
    'Es gab {failures} fehlgeschlagene Anmeldeversuche für Ihr Konto, daher ist die Anmeldung für die nächsten {minutes} Minute(n) pausiert.',
  'mail.lockedOut.advice':
    'Wenn Sie das waren, warten Sie und versuchen Sie es erneut, oder setzen Sie Ihr Passwort zurück, falls Sie es vergessen haben. Wenn nicht, versucht vielleicht jemand, Ihr Passwort zu erraten: Ihr Konto ist sicher, solange es ein starkes ist.',
  'mail.invitation.subject': 'Sie wurden eingeladen',
  'mail.invitation.body': 'Sie wurden eingeladen, ein Konto anzulegen. Folgen Sie dem Link unten, um Ihr Passwort zu wählen.',
  'mail.invitation.validUntil': 'Die Einladung gilt bis {expiresAt}. Wenn Sie kein Konto möchten, ignorieren Sie diese E-Mail.',
  'mail.invitation.link': 'Einladung annehmen',
  'mail.emailChangeRequested.subject': 'Ihre E-Mail-Adresse soll geändert werden',
  'mail.emailChangeRequested.body':
    'Jemand hat angefordert, die E-Mail-Adresse Ihres Kontos in {newEmail} zu ändern. Die Änderung erfolgt erst, wenn der an diese Adresse gesendete Link benutzt wird.',
  'mail.emailChangeRequested.advice':
    'Wenn Sie das nicht waren, melden Sie sich an, ändern Sie Ihr Passwort und senden Sie Ihre aktuelle Adresse als E-Mail-Adresse, um die Änderung abzubrechen.',
  'mail.emailChanged.subject': 'Ihre E-Mail-Adresse wurde geändert',
  'mail.emailChanged.body': 'Die E-Mail-Adresse Ihres Kontos wurde in {newEmail} geändert.',
  'mail.resetPassword.subject': 'Passwort zurücksetzen',
  'mail.resetPassword.body':
    'Jemand hat angefordert, das Passwort Ihres Kontos zurückzusetzen. Der Link unten funktioniert einmal, {validForMinutes} Minuten lang.',
  'mail.resetPassword.ignore': 'Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
  'mail.breached.subject': 'Ihr Passwort ist in einem Datenleck aufgetaucht',
  'mail.breached.body':
    'Bei Ihrem Konto wurde sich gerade mit einem Passwort angemeldet, das in einer nach Datenlecks veröffentlichten Passwortliste steht. Mehr ist nicht bekannt: weder welches Datenleck, noch ob Ihr Konto selbst betroffen war. Angreifer probieren die Passwörter dieser Listen aber zuerst aus.',
  'mail.breached.advice':
    'Bitte wählen Sie ein neues Passwort, das Sie nirgends sonst verwenden: Melden Sie sich an und ändern Sie es in Ihren Kontoeinstellungen, oder fordern Sie über den Link unten einen Link zum Zurücksetzen an. Wenn nicht Sie sich angemeldet haben, setzen Sie Ihr Passwort sofort zurück.',
  'mail.breached.link': 'Neues Passwort wählen',
  'mail.mfaEnabled.subject': 'Die Zwei-Faktor-Authentifizierung ist eingeschaltet',
  'mail.mfaEnabled.body':
    'Für Ihr Konto wurde die Zwei-Faktor-Authentifizierung eingeschaltet: Bei der Anmeldung wird jetzt ein Code aus Ihrer Authenticator-App oder ein Wiederherstellungscode verlangt.',
  'mail.mfaEnabled.advice':
    'Wenn Sie das nicht waren, kennt jemand Ihr Passwort und hat Zugriff auf Ihr Konto: Setzen Sie Ihr Passwort sofort zurück und kontaktieren Sie uns.',
  'mail.mfaDisabled.subject': 'Die Zwei-Faktor-Authentifizierung ist ausgeschaltet',
  'mail.mfaDisabled.body':
    'Für Ihr Konto wurde die Zwei-Faktor-Authentifizierung ausgeschaltet: Zur Anmeldung genügt jetzt Ihr Passwort. Ihre Wiederherstellungscodes funktionieren nicht mehr.',
  'mail.mfaDisabled.advice':
    'Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück, schalten Sie die Zwei-Faktor-Authentifizierung wieder ein und kontaktieren Sie uns.',
  'mail.recoveryCodeUsed.subject': 'Ein Wiederherstellungscode wurde benutzt',
  'mail.recoveryCodeUsed.body':
    'Einer Ihrer Wiederherstellungscodes wurde gerade zur Anmeldung oder zur Bestätigung Ihrer Identität benutzt. {remaining, plural, =0 {Es sind keine unbenutzten Codes mehr übrig.} one {Es ist noch # unbenutzter Code übrig.} other {Es sind noch # unbenutzte Codes übrig.}}',
  'mail.recoveryCodeUsed.runningOut': 'Ihre Wiederherstellungscodes gehen zur Neige: Melden Sie sich an und erzeugen Sie in Ihren Kontoeinstellungen neue.',
  'mail.recoveryCodesRegenerated.subject': 'Neue Wiederherstellungscodes',
  'mail.recoveryCodesRegenerated.body': 'Für Ihr Konto wurden neue Wiederherstellungscodes erzeugt. Die alten funktionieren nicht mehr.',
  'mail.mfaLockedOut.subject': 'Zwei-Faktor-Anmeldung pausiert',
  'mail.mfaLockedOut.body':
    'Ihr Passwort wurde eingegeben, aber der zweite Schritt ist {failures}-mal fehlgeschlagen. Zwei-Faktor-Codes für Ihr Konto werden für die nächsten {minutes} Minuten abgelehnt.',
  'mail.mfaLockedOut.advice': 'Wenn Sie das nicht waren, kennt jemand Ihr Passwort: Setzen Sie es sofort zurück.',
  'mail.mfaReset.subject': 'Die Zwei-Faktor-Authentifizierung wurde zurückgesetzt',
  'mail.mfaReset.body':
    'Ein Administrator hat alle zweiten Faktoren Ihres Kontos entfernt (Authenticator-App, Passkeys und Wiederherstellungscodes) und Sie überall abgemeldet.',
  'mail.mfaReset.advice':
    'Melden Sie sich an und richten Sie die Zwei-Faktor-Authentifizierung erneut ein. Wenn Sie das nicht angefordert haben, kontaktieren Sie uns.',
  'mail.passkeyAdded.subject': 'Ein Passkey wurde hinzugefügt',
  'mail.passkeyAdded.body': 'Ihrem Konto wurde ein Passkey („{name}“) hinzugefügt: Er kann jetzt zur Anmeldung benutzt werden.',
  'mail.passkeyRemoved.subject': 'Ein Passkey wurde entfernt',
  'mail.passkeyRemoved.body': 'Ein Passkey („{name}“) wurde von Ihrem Konto entfernt: Er meldet Sie nicht mehr an.',
  'mail.passkeyDisabled.subject': 'Ein Passkey wurde deaktiviert',
  'mail.passkeyDisabled.body':
    'Ihr Passkey „{name}“ wurde gerade mit einem niedrigeren Signaturzähler als zuvor benutzt, was auf einen kopierten Authenticator hindeuten kann. Er wurde deaktiviert und meldet Sie nicht mehr an.',
  'mail.passkeyDisabled.advice':
    'Entfernen Sie ihn in Ihren Kontoeinstellungen und fügen Sie Ihren Authenticator erneut hinzu. Wenn Sie sich nicht anmelden wollten, setzen Sie Ihr Passwort zurück und kontaktieren Sie uns.',
  'mail.passwordRemoved.subject': 'Ihr Passwort wurde entfernt',
  'mail.passwordRemoved.body': 'Das Passwort Ihres Kontos wurde entfernt: Sie melden sich jetzt mit einem Passkey an. Andere Sitzungen wurden abgemeldet.',
  'mail.passwordRemoved.advice': 'Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück (damit setzen Sie ein neues) und kontaktieren Sie uns.',
  'mail.identityLinked.subject': 'Ihr {provider}-Konto wurde verknüpft',
  'mail.identityLinked.body': 'Ihr {provider}-Konto wurde mit Ihrem Konto verknüpft: Sie können sich jetzt damit anmelden.',
  'mail.identityUnlinked.subject': 'Die Verknüpfung mit Ihrem {provider}-Konto wurde aufgehoben',
  'mail.identityUnlinked.body': 'Ihr {provider}-Konto ist nicht mehr mit Ihrem Konto verknüpft: Sie können sich damit nicht mehr anmelden.',
  'account.languageTitle': 'Sprache',
  'account.languageIntro': 'Die Sprache dieser Seiten und der E-Mails, die wir Ihnen senden.',
  'account.languageSubmit': 'Sprache speichern',
  'field.locale': 'Sprache',
  // --- end brand ---
  // --- uioauth: provider pages (hosted-ui §5.1) ---
  'oauth.signInWith': 'Mit {provider} anmelden',
  'oauth.or': 'Oder anmelden mit',
  'oauth.error.title': 'Anmeldung beim Anbieter fehlgeschlagen',
  'oauth.error.failed': 'Etwas ist schiefgegangen, und Sie konnten nicht angemeldet werden. Bitte versuchen Sie es erneut.',
  'oauth.error.expired': 'Diese Anmeldung ist abgelaufen oder wurde schon benutzt. Bitte beginnen Sie erneut.',
  'oauth.error.registrationClosed': 'Zu diesem {provider}-Konto gibt es kein Konto, und auf diesem Weg können keine neuen Konten erstellt werden.',
  'oauth.error.identityTaken': 'Das {provider}-Konto ist bereits mit einem anderen Benutzer verknüpft.',
  'oauth.error.alreadyLinked': 'Mit Ihrem Konto ist bereits ein anderes {provider}-Konto verknüpft.',
  'oauth.error.again': 'Erneut versuchen',
  'oauth.addEmail.title': 'E-Mail-Adresse hinzufügen',
  'oauth.addEmail.intro': 'Ihr {provider}-Konto hat keine E-Mail-Adresse übermittelt. Geben Sie die Adresse für Ihr Konto ein.',
  'oauth.addEmail.submit': 'Weiter',
  'oauth.link.title': 'Ihr {provider}-Konto verknüpfen',
  'oauth.link.intro': 'Ein Konto mit dieser Adresse existiert bereits. Melden Sie sich an, um Ihr {provider}-Konto zu verknüpfen.',
  'oauth.link.submit': 'Anmelden und verknüpfen',
  // --- end uioauth ---
  // --- uiprov: a provider step-up's code page (hosted-ui §5.2) ---
  'oauth.code.title': 'Code eingeben',
  'oauth.code.intro': 'Sie haben mit {provider} bestätigt, dass Sie es sind. Geben Sie zum Abschluss einen Code ein.',
  'oauth.code.invalid': 'Der eingegebene Code ist ungültig oder wurde schon benutzt. Bitte bestätigen Sie erneut, dass Sie es sind.',
  // --- end uiprov ---
};

/** The shipped locales and the pseudo-locales (served only with `AUTH_UI_PSEUDO_LOCALES=true`). */
export const SHIPPED_LOCALES = USER_LOCALES;
export const PSEUDO_LOCALES = ['en-XA', 'ar-XB'] as const;
export type Locale = (typeof SHIPPED_LOCALES)[number] | (typeof PSEUDO_LOCALES)[number];

/** Each locale's name in its own language (the language chooser). */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch', 'en-XA': 'Ëñğļîšħ (XA)', 'ar-XB': 'English (XB, RTL)' };

const ACCENTS: Record<string, string> = {
  a: 'á',
  b: 'ƀ',
  c: 'ç',
  d: 'ð',
  e: 'é',
  f: 'ƒ',
  g: 'ĝ',
  h: 'ĥ',
  i: 'î',
  j: 'ĵ',
  k: 'ķ',
  l: 'ļ',
  m: 'ɱ',
  n: 'ñ',
  o: 'ö',
  p: 'þ',
  q: 'ǫ',
  r: 'ŕ',
  s: 'š',
  t: 'ţ',
  u: 'û',
  v: 'ṽ',
  w: 'ŵ',
  x: 'ẋ',
  y: 'ý',
  z: 'ž',
  A: 'Å',
  B: 'Ɓ',
  C: 'Ç',
  D: 'Ð',
  E: 'É',
  F: 'Ƒ',
  G: 'Ĝ',
  H: 'Ĥ',
  I: 'Î',
  J: 'Ĵ',
  K: 'Ķ',
  L: 'Ļ',
  M: 'Ṁ',
  N: 'Ñ',
  O: 'Ö',
  P: 'Þ',
  Q: 'Ǫ',
  R: 'Ŕ',
  S: 'Š',
  T: 'Ţ',
  U: 'Û',
  V: 'Ṽ',
  W: 'Ŵ',
  X: 'Ẋ',
  Y: 'Ý',
  Z: 'Ž',
};

/** Maps the text outside `{placeholders}`; placeholders stay as they are. */
function mapText(message: string, map: (text: string) => string): string {
  return message
    .split(/(\{[a-zA-Z]+\})/)
    .map((part) => (/^\{[a-zA-Z]+\}$/.test(part) ? part : map(part)))
    .join('');
}

/** `en-XA`: accented, about 40 % longer, bracketed, so hard-coded strings and clipping show. */
export function pseudoAccented(message: string): string {
  const accented = mapText(message, (text) => [...text].map((c) => ACCENTS[c] ?? c).join(''));
  const padding = ' ·'.repeat(Math.ceil((message.length * 0.4) / 2));
  return `[${accented}${padding}]`;
}

/** `ar-XB`: the English text shown right to left (the page's `dir="rtl"` mirrors the layout). */
export function pseudoRtl(message: string): string {
  return mapText(message, (text) => (text.trim() === '' ? text : `\u202e${text}\u202c`));
}

/** An ICU message (plural or select): formatted by `intl-messageformat`, not by placeholder replacement. */
function isIcu(message: string): boolean {
  return /\{[a-zA-Z]+, *(plural|select|selectordinal),/.test(message);
}

function generated(map: (message: string) => string): Catalogue {
  // ICU messages stay as they are (their syntax must survive; the pseudo-locales serve pages, not mails).
  return Object.fromEntries(Object.entries(en).map(([id, message]) => [id, isIcu(message) ? message : map(message)])) as Catalogue;
}

export const CATALOGUES: Record<Locale, Catalogue> = { en, de, 'en-XA': generated(pseudoAccented), 'ar-XB': generated(pseudoRtl) };

/** The placeholders a message uses, sorted (a test holds them equal across locales). */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1] as string).sort();
}

/** The message in a locale with its placeholders filled (values are text; the renderer escapes them). */
export function translate(locale: Locale, id: MessageId, values: Record<string, string | number> = {}): string {
  const message = CATALOGUES[locale][id];
  if (isIcu(message)) return String(new IntlMessageFormat(message, locale === 'en-XA' || locale === 'ar-XB' ? 'en' : locale).format(values));
  return message.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar-XB' ? 'rtl' : 'ltr';
}

/** The locales a deployment serves. */
export function servedLocales(pseudo: boolean): Locale[] {
  return pseudo ? [...SHIPPED_LOCALES, ...PSEUDO_LOCALES] : [...SHIPPED_LOCALES];
}

/** A served locale named exactly (case-insensitive), or undefined. */
export function servedLocale(value: string | undefined, pseudo: boolean): Locale | undefined {
  if (!value) return undefined;
  return servedLocales(pseudo).find((l) => l.toLowerCase() === value.trim().toLowerCase());
}

/**
 * The first served locale of an `Accept-Language` header, by quality then order: an exact tag
 * first, else its language (`de-AT` → `de`). Pseudo-locales only match exactly.
 */
export function matchAcceptLanguage(header: string | undefined, pseudo: boolean): Locale | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const exact = servedLocale(range.tag, pseudo);
    if (exact) return exact;
    // RFC 4647 lookup over the shipped locales (`de-AT` → `de`); pseudo-locales only match exactly.
    try {
      const matched = match([range.tag], [...SHIPPED_LOCALES], NO_MATCH, { algorithm: 'lookup' });
      if (matched !== NO_MATCH) return matched as Locale;
    } catch {
      // not a well-formed language tag: skip it
    }
  }
  return undefined;
}

const NO_MATCH = 'x-none';

/**
 * Negotiation (§8): `ui_locales` or a `lang` parameter → the `__Host-latch_lang` cookie → the
 * signed-in user's stored `locale` → `Accept-Language` → the default.
 */
export function negotiateLocale(input: {
  param?: string;
  cookie?: string;
  stored?: string | null | undefined;
  acceptLanguage?: string;
  fallback: Locale;
  pseudo: boolean;
}): Locale {
  return (
    servedLocale(input.param, input.pseudo) ??
    servedLocale(input.cookie, input.pseudo) ??
    servedLocale(input.stored ?? undefined, false) ??
    matchAcceptLanguage(input.acceptLanguage, input.pseudo) ??
    input.fallback
  );
}
