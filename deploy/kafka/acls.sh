#!/bin/sh
# The ACLs of Reseal's Kafka principals (the four services and the adoption watcher), for a Kafka cluster
# without Strimzi (the same as deploy/strimzi/kafka-users.yaml; KafkaAclsTest checks that they agree). Needs kafka-acls.sh of the
# Kafka distribution and an admin login:
#   BOOTSTRAP=kafka:9093 ADMIN_CONFIG=admin.properties sh deploy/kafka/acls.sh
# Create the users first (SCRAM-SHA-512), one password each, e.g.:
#   kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --alter \
#     --entity-type users --entity-name reseal-sealer --add-config "SCRAM-SHA-512=[password=$(openssl rand -base64 24)]"
# With mTLS instead of SASL, the principals are the certificates' names: map them to User:reseal-<service> with
# ssl.principal.mapping.rules on the broker, or change the principals below.
set -eu
: "${BOOTSTRAP:?set BOOTSTRAP to the brokers' address}"
: "${ADMIN_CONFIG:?set ADMIN_CONFIG to a client properties file of an admin}"

acl() {
  kafka-acls.sh --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add "$@"
}

# reseal-producer: writes requested (API, scheduler, rotate --kafka), finishing (finish), relink requests (relink) and key approvals (approve-key); reads every topic for the status view and requested for the schedule history
acl --allow-principal User:reseal-producer --operation Read --operation Write --topic reseal.rotation.requested
acl --allow-principal User:reseal-producer --operation Read --topic reseal.rotation.sealed
acl --allow-principal User:reseal-producer --operation Read --topic reseal.rotation.packaged
acl --allow-principal User:reseal-producer --operation Read --topic reseal.rotation.notified
acl --allow-principal User:reseal-producer --operation Read --topic reseal.rotation.failed
acl --allow-principal User:reseal-producer --operation Read --operation Write --topic reseal.rotation.finishing
acl --allow-principal User:reseal-producer --operation Read --topic reseal.rotation.finished
acl --allow-principal User:reseal-producer --operation Read --topic reseal.rotation.adopted
acl --allow-principal User:reseal-producer --operation Read --topic reseal.key.changed
acl --allow-principal User:reseal-producer --operation Read --operation Write --topic reseal.key.approved
acl --allow-principal User:reseal-producer --operation Read --operation Write --topic reseal.rotation.relink-requested
acl --allow-principal User:reseal-producer --operation Read --topic reseal.rotation.relinked

# reseal-sealer: consumes requested and is the only principal that writes sealed; writes key-renewal requests, revokePrevious finishes and failed records; reads sealed back for its ledger and, with finished, for its issuers' history; its finisher consumes finishing and writes finished (and finish-deferred); reads, never writes, adopted to finish a rotation once it is adopted; announces URL certificates on key.changed and reads it back with key.approved (which certificate it may seal with)
acl --allow-principal User:reseal-sealer --operation Read --operation Write --topic reseal.rotation.requested
acl --allow-principal User:reseal-sealer --operation Read --operation Write --topic reseal.rotation.sealed
acl --allow-principal User:reseal-sealer --operation Describe --topic reseal.rotation.packaged
acl --allow-principal User:reseal-sealer --operation Describe --topic reseal.rotation.notified
acl --allow-principal User:reseal-sealer --operation Write --topic reseal.rotation.failed
acl --allow-principal User:reseal-sealer --operation Read --operation Write --topic reseal.rotation.finishing
acl --allow-principal User:reseal-sealer --operation Read --operation Write --topic reseal.rotation.finished
acl --allow-principal User:reseal-sealer --operation Read --topic reseal.rotation.adopted
acl --allow-principal User:reseal-sealer --operation Read --operation Write --topic reseal.key.changed
acl --allow-principal User:reseal-sealer --operation Read --topic reseal.key.approved
acl --allow-principal User:reseal-sealer --operation Describe --topic reseal.rotation.relink-requested
acl --allow-principal User:reseal-sealer --operation Describe --topic reseal.rotation.relinked
acl --allow-principal User:reseal-sealer --operation Read --group reseal-sealer
acl --allow-principal User:reseal-sealer --operation Read --group reseal-finisher
acl --allow-principal User:reseal-sealer --operation Write --resource-pattern-type prefixed --transactional-id reseal-sealer-
acl --allow-principal User:reseal-sealer --operation Write --resource-pattern-type prefixed --transactional-id reseal-finisher-

# reseal-packager: consumes sealed, writes packaged and failed, reads packaged back for its ledger; its relinker consumes relink-requested, reads packaged (which archive) and writes relinked
acl --allow-principal User:reseal-packager --operation Describe --topic reseal.rotation.requested
acl --allow-principal User:reseal-packager --operation Read --topic reseal.rotation.sealed
acl --allow-principal User:reseal-packager --operation Read --operation Write --topic reseal.rotation.packaged
acl --allow-principal User:reseal-packager --operation Describe --topic reseal.rotation.notified
acl --allow-principal User:reseal-packager --operation Write --topic reseal.rotation.failed
acl --allow-principal User:reseal-packager --operation Describe --topic reseal.rotation.finishing
acl --allow-principal User:reseal-packager --operation Describe --topic reseal.rotation.finished
acl --allow-principal User:reseal-packager --operation Describe --topic reseal.rotation.adopted
acl --allow-principal User:reseal-packager --operation Describe --topic reseal.key.changed
acl --allow-principal User:reseal-packager --operation Describe --topic reseal.key.approved
acl --allow-principal User:reseal-packager --operation Read --topic reseal.rotation.relink-requested
acl --allow-principal User:reseal-packager --operation Read --operation Write --topic reseal.rotation.relinked
acl --allow-principal User:reseal-packager --operation Read --group reseal-packager
acl --allow-principal User:reseal-packager --operation Read --group reseal-relinker
acl --allow-principal User:reseal-packager --operation Write --resource-pattern-type prefixed --transactional-id reseal-packager-
acl --allow-principal User:reseal-packager --operation Write --resource-pattern-type prefixed --transactional-id reseal-relinker-

# reseal-notifier: consumes packaged, writes notified and failed, reads notified back for its ledger; its relink-notifier consumes relinked and writes relink-notified (on notified)
acl --allow-principal User:reseal-notifier --operation Describe --topic reseal.rotation.requested
acl --allow-principal User:reseal-notifier --operation Describe --topic reseal.rotation.sealed
acl --allow-principal User:reseal-notifier --operation Read --topic reseal.rotation.packaged
acl --allow-principal User:reseal-notifier --operation Read --operation Write --topic reseal.rotation.notified
acl --allow-principal User:reseal-notifier --operation Write --topic reseal.rotation.failed
acl --allow-principal User:reseal-notifier --operation Describe --topic reseal.rotation.finishing
acl --allow-principal User:reseal-notifier --operation Describe --topic reseal.rotation.finished
acl --allow-principal User:reseal-notifier --operation Describe --topic reseal.rotation.adopted
acl --allow-principal User:reseal-notifier --operation Describe --topic reseal.key.changed
acl --allow-principal User:reseal-notifier --operation Describe --topic reseal.key.approved
acl --allow-principal User:reseal-notifier --operation Describe --topic reseal.rotation.relink-requested
acl --allow-principal User:reseal-notifier --operation Read --topic reseal.rotation.relinked
acl --allow-principal User:reseal-notifier --operation Read --group reseal-notifier
acl --allow-principal User:reseal-notifier --operation Read --group reseal-relink-notifier
acl --allow-principal User:reseal-notifier --operation Write --resource-pattern-type prefixed --transactional-id reseal-notifier-
acl --allow-principal User:reseal-notifier --operation Write --resource-pattern-type prefixed --transactional-id reseal-relink-notifier-

# reseal-adoption: the adoption watcher: reads sealed, packaged (link expiry), notified and adopted from the start (no consumer group), writes adopted (changes, reminders, completion)
acl --allow-principal User:reseal-adoption --operation Read --topic reseal.rotation.sealed
acl --allow-principal User:reseal-adoption --operation Read --topic reseal.rotation.packaged
acl --allow-principal User:reseal-adoption --operation Read --topic reseal.rotation.notified
acl --allow-principal User:reseal-adoption --operation Read --operation Write --topic reseal.rotation.adopted
