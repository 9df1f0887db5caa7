//! The signed-in session's unlocked signing keys, by account.
//!
//! The first export of a session asks each assessor for their key passphrase once; the
//! key is derived (scrypt) on the export job and kept here, so later exports in the same
//! session sign without asking again. Sign-out drops every key: a [`Signer`] wipes its
//! private key when the last reference goes, and nothing else keeps a copy (jobs borrow
//! an [`Arc`] for the length of one export).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::sign::Signer;

/// The unlocked keys of this session, keyed by account login.
#[derive(Default)]
pub struct SessionKeys {
    signers: BTreeMap<String, Arc<Signer>>,
    derivations: usize,
}

impl SessionKeys {
    /// The unlocked key of `login`, if this session has it.
    pub fn get(&self, login: &str) -> Option<Arc<Signer>> {
        self.signers.get(login).cloned()
    }

    /// Whether this session holds `login`'s key.
    pub fn has(&self, login: &str) -> bool {
        self.signers.contains_key(login)
    }

    /// Keeps a key that was just derived (it must name its account).
    pub fn insert(&mut self, signer: Arc<Signer>) {
        if let Some(login) = signer.account().map(str::to_owned) {
            self.derivations += 1;
            self.signers.insert(login, signer);
        }
    }

    /// Drops every key (sign-out).
    pub fn clear(&mut self) {
        self.signers.clear();
    }

    /// How many keys were derived and kept since the app started (a test hook: a day of
    /// exports should cost one per assessor).
    pub fn derivations(&self) -> usize {
        self.derivations
    }
}
