package facerecognition

import (
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/jsii-runtime-go"
)

// Patterns of the custom domain props: a lowercase DNS name (RFC 1035
// labels, at most 253 characters) and one base path segment of the
// characters API Gateway and CDK accept in a base path.
var (
	domainNamePattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	basePathPattern   = regexp.MustCompile(`^[A-Za-z0-9$_.+!*'()-]+$`)
)

// resolveDomain checks the custom domain props in s, and sets
// s.disableExecuteApiEndpoint (by default, when there is a domain).
func resolveDomain(p *FaceRecognitionServiceProps, s *settings) {
	if s.domainName == "" {
		for prop, set := range map[string]bool{"HostedZone": s.hostedZone != nil, "Certificate": s.certificate != nil, "BasePath": p.BasePath != nil} {
			if set {
				invalid(prop, "requires DomainName: it configures the API's custom domain")
			}
		}
		if p.DisableExecuteApiEndpoint != nil && *p.DisableExecuteApiEndpoint {
			invalid("DisableExecuteApiEndpoint", "true requires DomainName: without a custom domain, the execute-api endpoint is the API's only one")
		}
		return
	}
	s.disableExecuteApiEndpoint = p.DisableExecuteApiEndpoint == nil || *p.DisableExecuteApiEndpoint
	if len(s.domainName) > 253 || !domainNamePattern.MatchString(s.domainName) {
		invalid("DomainName", "must be a lowercase DNS name such as \"faces.example.com\" (labels of [a-z0-9-], 253 characters at most), got %q", s.domainName)
	}
	if s.endpointType != awsapigateway.EndpointType_REGIONAL {
		invalid("DomainName", "conflicts with EndpointType %s: the custom domain is a regional API Gateway domain name, which maps a REGIONAL API", s.endpointType)
	}
	if s.hostedZone == nil {
		invalid("HostedZone", "is required with DomainName: the alias records (and a new certificate's validation record) go in it")
	}
	if zone := s.hostedZone.ZoneName(); !*awscdk.Token_IsUnresolved(zone) {
		name := strings.TrimSuffix(*zone, ".")
		if s.domainName != name && !strings.HasSuffix(s.domainName, "."+name) {
			invalid("DomainName", "%q is not in HostedZone %q", s.domainName, name)
		}
	}
	if p.BasePath != nil && !basePathPattern.MatchString(s.basePath) {
		invalid("BasePath", "must be one path segment of [A-Za-z0-9$_.+!*'()-], got %q", s.basePath)
	}
}

// addDomain gives the API its custom domain, if DomainName is set: the
// certificate (the props' or a new DNS-validated one), a regional domain
// name with the TLS 1.2 security policy that answers IPv4 and IPv6, the
// base path mapping to the stage, and A and AAAA alias records.
func (s *FaceRecognitionService) addDomain(cfg *settings) {
	if cfg.domainName == "" {
		return
	}
	certificate := cfg.certificate
	if certificate == nil {
		s.Certificate = awscertificatemanager.NewCertificate(s.Construct, jsii.String("Certificate"), &awscertificatemanager.CertificateProps{
			DomainName: jsii.String(cfg.domainName),
			Validation: awscertificatemanager.CertificateValidation_FromDns(cfg.hostedZone),
		})
		certificate = s.Certificate
	}
	s.DomainName = awsapigateway.NewDomainName(s.Construct, jsii.String("DomainName"), &awsapigateway.DomainNameProps{
		DomainName:     jsii.String(cfg.domainName),
		Certificate:    certificate,
		EndpointType:   awsapigateway.EndpointType_REGIONAL,
		SecurityPolicy: awsapigateway.SecurityPolicy_TLS_1_2,
	})
	// The AAAA record needs a domain name that answers IPv6 too; CDK's
	// DomainName has no prop for it.
	s.DomainName.Node().DefaultChild().(awsapigateway.CfnDomainName).AddPropertyOverride(
		jsii.String("EndpointConfiguration.IpAddressType"), jsii.String("dualstack"))
	mapping := &awsapigateway.BasePathMappingOptions{Stage: s.Api.DeploymentStage()}
	if cfg.basePath != "" {
		mapping.BasePath = jsii.String(cfg.basePath)
	}
	s.DomainName.AddBasePathMapping(s.Api, mapping)

	target := awsroute53.RecordTarget_FromAlias(awsroute53targets.NewApiGatewayDomain(s.DomainName))
	awsroute53.NewARecord(s.Construct, jsii.String("AliasRecord"), &awsroute53.ARecordProps{
		Zone: cfg.hostedZone, RecordName: jsii.String(cfg.domainName + "."), Target: target,
	})
	awsroute53.NewAaaaRecord(s.Construct, jsii.String("AliasRecordIpv6"), &awsroute53.AaaaRecordProps{
		Zone: cfg.hostedZone, RecordName: jsii.String(cfg.domainName + "."), Target: target,
	})
}
